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
    private let counters: [Result: CounterCell]

    init(config: CacheConfig, redis: RedisClient?, registry: MetricsRegistry) {
        memory = MemoryCacheTier(capacityBytes: config.maxSizeMB * 1024 * 1024)
        self.redis = redis
        ttl = .seconds(config.ttlSeconds)
        let family = registry.counter(MetricCatalog.cacheRequestsTotal)
        counters = [.hit: family.labels("hit"), .miss: family.labels("miss"), .bypass: family.labels("bypass")]
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

    func store(_ key: String, _ value: ByteBuffer) {
        memory.set(key, value, ttl: ttl)
        guard let redis else { return }
        let milliseconds = String(ttl.nanosecondsClamped / 1_000_000)
        let text = String(buffer: value)
        Task { _ = try? await redis.send(["SET", Self.redisPrefix + key, text, "PX", milliseconds]) }
    }
}
