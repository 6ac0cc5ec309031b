import HTTPTypes
import NIOCore
import Telemetry

/// Exact-match response cache: memory first, then (with `REDIS_URL`) a Redis tier shared by every replica.
/// Stores the answer's exact bytes — a JSON completion, or a whole SSE stream — so a hit is byte-identical
/// to the answer that filled it. Redis failures only make a miss: the request goes upstream.
struct ResponseCache: Sendable {
    /// How a request met the cache: the `result` label of `llm_cache_requests_total` and `x-llm-gateway-cache`.
    enum Result: String, Sendable {
        case hit, miss, bypass
    }

    static let header = HTTPField.Name("x-llm-gateway-cache")!
    static let redisPrefix = "llm-gateway:cache:"

    let memory: MemoryCacheTier
    let redis: RedisClient?
    let ttl: Duration
    /// The largest answer kept; a stream being copied for the cache stops being copied past it.
    let maxEntryBytes: Int
    /// Whether entries are shared by every client key (`cache.shared_across_keys`).
    let sharedAcrossKeys: Bool
    private let counters: [Result: CounterCell]
    private let tooLarge: CounterCell
    private let incomplete: CounterCell

    init(config: CacheConfig, redis: RedisClient?, registry: MetricsRegistry) {
        memory = MemoryCacheTier(capacityBytes: config.maxSizeMB.multipliedSaturated(by: 1024 * 1024))
        self.redis = redis
        ttl = .seconds(config.ttlSeconds)
        maxEntryBytes = config.maxEntryBytes
        sharedAcrossKeys = config.sharedAcrossKeys
        let family = registry.counter(MetricCatalog.cacheRequestsTotal)
        counters = [.hit: family.labels("hit"), .miss: family.labels("miss"), .bypass: family.labels("bypass")]
        let skipped = registry.counter(MetricCatalog.cacheStoresSkippedTotal)
        tooLarge = skipped.labels("too_large")
        incomplete = skipped.labels("incomplete")
    }

    /// The key of `body` for the client `client` (the key's name; nil when auth is off).
    func key(_ body: ByteBuffer, client: String?) -> String? {
        CacheKey.chat(body, client: sharedAcrossKeys ? nil : client ?? "anonymous")
    }

    /// Why an answer was not kept.
    enum SkipReason: Sendable {
        /// Larger than ``maxEntryBytes``.
        case tooLarge
        /// The stream failed, or ended in an error event: not a complete answer.
        case incomplete
    }

    /// Counts an answer that is not kept.
    func skip(_ reason: SkipReason) {
        switch reason {
        case .tooLarge: tooLarge.increment()
        case .incomplete: incomplete.increment()
        }
    }

    /// Whether the client asked to skip the cache (`Cache-Control: no-cache`/`no-store`, `x-llm-gateway-cache: bypass`).
    static func bypassed(_ headers: HTTPFields) -> Bool {
        if let control = headers[.cacheControl]?.lowercased(), control.contains("no-cache") || control.contains("no-store") { return true }
        return headers[header]?.lowercased() == "bypass"
    }

    func count(_ result: Result) {
        counters[result]?.increment()
    }

    func lookup(_ key: String) async -> ByteBuffer? {
        if let hit = memory.get(key) { return hit }
        guard let redis, case .bulk(let text)? = try? await redis.send(["GET", Self.redisPrefix + key]) else { return nil }
        let value = ByteBuffer(string: text)
        memory.set(key, value, ttl: ttl)
        return value
    }

    /// Keeps `value` under `key` unless it is larger than ``maxEntryBytes`` (then it is counted, not kept).
    func store(_ key: String, _ value: ByteBuffer) {
        guard value.readableBytes <= maxEntryBytes else { return skip(.tooLarge) }
        memory.set(key, value, ttl: ttl)
        guard let redis else { return }
        let milliseconds = String(ttl.nanosecondsClamped / 1_000_000)
        let text = String(buffer: value)
        Task { _ = try? await redis.send(["SET", Self.redisPrefix + key, text, "PX", milliseconds]) }
    }
}

/// Where a request's answer goes in the cache: the cache and the key the lookup computed.
struct CacheFill: Sendable {
    let cache: ResponseCache
    let key: String
}
