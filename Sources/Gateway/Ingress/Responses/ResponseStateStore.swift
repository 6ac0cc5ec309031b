import NIOCore
import Telemetry

/// Stored Responses API responses: what `GET /v1/responses/{id}` returns and what `previous_response_id`
/// continues — the response as rendered, and the conversation so far as chat messages (the inputs without
/// the instructions, and the answer). Entries belong to the client key that created them: the key's name is
/// part of the storage key, so another key's lookup finds nothing (404). In Redis when configured (shared by
/// replicas, kept across restarts), else in memory. A response is stored before the client gets it, so the
/// client's next request can continue it; a store that fails is counted and the answer still goes out.
final class ResponseStateStore: Sendable {
    /// One stored response: the gateway's own (a translated answer), or where a provider keeps it.
    struct Record: Codable, Sendable {
        /// The `response` object as the client got it (JSON text); empty for a provider's.
        var response: String
        var conversation: [ChatRequestWire.Message]
        /// `provider/model` of the passthrough deployment that stores the response itself (OpenAI, Azure):
        /// continuing it goes there, and `GET`/`DELETE` are passed to it.
        var deployment: String?

        init(response: String, conversation: [ChatRequestWire.Message], deployment: String? = nil) {
            self.response = response
            self.conversation = conversation
            self.deployment = deployment
        }
    }

    private let memory: MemoryCacheTier?
    private let redis: RedisClient?
    private let ttl: Duration
    private let maxEntryBytes: Int
    private let stored: CounterCell
    private let tooLarge: CounterCell
    private let evicted: CounterCell
    private let failed: CounterCell

    init(config: ResponsesStoreConfig, redis: RedisClient?, registry: MetricsRegistry) {
        self.redis = redis
        memory = redis == nil ? MemoryCacheTier(capacityBytes: config.maxSizeMB * 1024 * 1024) : nil
        ttl = .seconds(config.ttlSeconds)
        maxEntryBytes = config.maxEntryBytes
        let family = registry.counter(MetricCatalog.storedResponsesTotal)
        (stored, tooLarge, evicted, failed) = (family.labels("stored"), family.labels("too_large"), family.labels("evicted"), family.labels("failed"))
    }

    private static func key(_ id: String, client: String) -> String { "llm-gateway:resp:{\(client)}:\(id)" }

    /// Keeps `record` under `id` for `client`.
    func save(_ record: Record, id: String, client: String) async {
        let value = WireJSON.encode(record)
        guard value.readableBytes <= maxEntryBytes else { return tooLarge.increment() }
        let key = Self.key(id, client: client)
        if let memory {
            guard let pushedOut = memory.set(key, value, ttl: ttl) else { return tooLarge.increment() }
            stored.increment()
            if pushedOut > 0 { evicted.increment(by: UInt64(pushedOut)) }
            return
        }
        guard let redis else { return }
        let milliseconds = String(ttl.nanosecondsClamped / 1_000_000)
        do {
            _ = try await redis.send(["SET", key, String(buffer: value), "PX", milliseconds])
            stored.increment()
        } catch {
            failed.increment()
        }
    }

    /// The record `client` stored under `id`; nil when there is none (or it expired, or another key owns it).
    func load(id: String, client: String) async throws(GatewayError) -> Record? {
        let key = Self.key(id, client: client)
        let value: ByteBuffer?
        if let memory {
            value = memory.get(key)
        } else if let redis {
            do {
                guard case .bulk(let text) = try await redis.send(["GET", key]) else { return nil }
                value = ByteBuffer(string: text)
            } catch {
                throw GatewayError.unavailable("Stored responses cannot be read right now (their store is unreachable); try again shortly.")
            }
        } else {
            value = nil
        }
        guard let value else { return nil }
        return try? WireJSON.decode(Record.self, from: value, expected: "a stored response")
    }

    /// Forgets what `client` stored under `id`; whether there was something.
    func delete(id: String, client: String) async throws(GatewayError) -> Bool {
        let key = Self.key(id, client: client)
        if let memory { return memory.remove(key) }
        guard let redis else { return false }
        do {
            return try await redis.send(["DEL", key]).int == 1
        } catch {
            throw GatewayError.unavailable("Stored responses cannot be changed right now (their store is unreachable); try again shortly.")
        }
    }
}
