import Logging
import Testing

@testable import Gateway
@testable import Telemetry

/// The same sliding-window semantics from both stores: in this process's memory and in a real Redis
/// (with a password and a database index).
@Suite("Rate-limit stores")
struct RateLimitStoreTests {
    static func redisStore(_ server: RedisServer, database: Int = 3) -> (RedisRateLimitStore, RedisClient) {
        let client = RedisClient(
            endpoint: RedisEndpoint(url: server.url(database: database))!,
            poolSize: 2,
            commandTimeout: .seconds(1),
            registry: MetricsRegistry(version: "v", revision: "r"),
            logger: Logger(label: "test")
        )
        return (RedisRateLimitStore(client: client), client)
    }

    /// Requests: exactly `limit` per window, then room again once the window slid past them.
    static func checkRequests(_ store: any RateLimitStore, name: String) async throws {
        let rule = RateLimitRule(scope: "key", name: name, requests: 5, tokens: nil, window: .seconds(3))
        var admitted = 0
        for index in 0..<8 where try await store.acquire(rule, id: "r\(index)", tokens: 0).allowed { admitted += 1 }
        #expect(admitted == 5)
        let refused = try await store.acquire(rule, id: "r-extra", tokens: 0)
        #expect(!refused.allowed && refused.requestsUsed == 5)
        #expect(refused.requestsReset > .zero && refused.requestsReset <= .seconds(3))
        try await Task.sleep(for: .milliseconds(3100))
        #expect(try await store.acquire(rule, id: "r-later", tokens: 0).allowed)
    }

    /// Tokens: reservations count until settled with the real usage, which frees the difference.
    static func checkTokens(_ store: any RateLimitStore, name: String) async throws {
        let rule = RateLimitRule(scope: "provider", name: name, requests: nil, tokens: 100, window: .seconds(30))
        #expect(try await store.acquire(rule, id: "a", tokens: 60).allowed)
        #expect(try await !store.acquire(rule, id: "b", tokens: 60).allowed, "60 + 60 is over 100")
        try await store.settle(rule, id: "a", tokens: 20)
        let after = try await store.acquire(rule, id: "c", tokens: 60)
        #expect(after.allowed && after.tokensUsed == 80)
        #expect(try await !store.acquire(rule, id: "d", tokens: 200).allowed, "a request larger than the limit never fits")
    }

    @Test("in memory: exact per window, and token reservations settle")
    func memory() async throws {
        let store = MemoryRateLimitStore()
        try await Self.checkRequests(store, name: "m1")
        try await Self.checkTokens(store, name: "m2")
    }

    /// A window that holds many requests (a high limit, a busy key) costs each request the same: a store that copied
    /// its window per request took minutes for this (quadratic), where it takes well under a second. The bound is
    /// generous on purpose: it tells a linear store from a quadratic one, not one fast machine from another.
    @Test("in memory: 100,000 requests in one window, each settled, take linear time and are all counted")
    func memoryLargeWindow() async throws {
        let store = MemoryRateLimitStore()
        let rule = RateLimitRule(scope: "key", name: "busy", requests: 1_000_000, tokens: 1_000_000_000, window: .seconds(60))
        let deadline = ContinuousClock.now + .seconds(30)
        for index in 0..<100_000 {
            let id = "r\(index)"
            #expect(try await store.acquire(rule, id: id, tokens: 10).allowed)
            try await store.settle(rule, id: id, tokens: 5)
            if index % 1_000 == 0, ContinuousClock.now > deadline {
                Issue.record("30 s were not enough for \(index) admissions")
                return
            }
        }
        let last = try await store.acquire(rule, id: "last", tokens: 10)
        #expect(last.requestsUsed == 100_001 && last.tokensUsed == 100_000 * 5 + 10)
    }

    @Test("in Redis (password, db index): the same semantics")
    func redis() async throws {
        let server = try await RedisServer.start(password: "s3cret")
        defer { server.stop() }
        let (store, client) = Self.redisStore(server)
        try await Self.checkRequests(store, name: "r1")
        try await Self.checkTokens(store, name: "r2")
        #expect(client.isHealthy)
        // The keys went to database 3, and expire with their window.
        let keys = try await client.send(["KEYS", "llm-gateway:rl:*"])
        guard case .array(let names) = keys else { throw RedisError.protocolError }
        #expect(!names.isEmpty)
        let ttl = try await client.send(["PTTL", "llm-gateway:rl:{provider:r2}:tokens:sum"]).int ?? -1
        #expect(ttl > 0 && ttl <= 30_000)
    }

    @Test("a wrong password is a clear reply error, and an unreachable Redis fails fast")
    func failures() async throws {
        let server = try await RedisServer.start(password: "right")
        defer { server.stop() }
        let wrong = RedisClient(
            endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port, password: "wrong"),
            poolSize: 1,
            commandTimeout: .seconds(1),
            registry: MetricsRegistry(version: "v", revision: "r"),
            logger: Logger(label: "test")
        )
        await #expect(throws: RedisError.self) { try await wrong.send(["PING"]) }
        let port = try RedisServer.freePort()
        let nowhere = RedisClient(
            endpoint: RedisEndpoint(host: "127.0.0.1", port: port),
            poolSize: 1,
            commandTimeout: .milliseconds(200),
            registry: MetricsRegistry(version: "v", revision: "r"),
            logger: Logger(label: "test")
        )
        let started = ContinuousClock.now
        for _ in 0..<5 { _ = try? await nowhere.send(["PING"]) }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(!nowhere.isHealthy)
    }

    @Test("redis:// URLs: password, user, port and db")
    func urls() {
        #expect(RedisEndpoint(url: "redis://localhost") == RedisEndpoint(host: "localhost"))
        #expect(RedisEndpoint(url: "redis://:pw@redis:6380/2") == RedisEndpoint(host: "redis", port: 6380, password: "pw", database: 2))
        #expect(RedisEndpoint(url: "redis://app:p%40ss@r/0") == RedisEndpoint(host: "r", username: "app", password: "p@ss"))
        #expect(RedisEndpoint(url: "http://x") == nil)
        #expect(RedisEndpoint(url: "redis://x/db") == nil)
    }
}
