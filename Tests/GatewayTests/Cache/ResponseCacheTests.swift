import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Testing

@testable import Gateway

@Suite("Response cache")
struct ResponseCacheTests {
    static func config(redis: String? = nil) -> GatewayConfig {
        var config = ConfigLoader.embeddedDefault()
        config.cache.enabled = true
        config.cache.ttlSeconds = 60
        config.redisURL = redis
        // A lookup that outlasts the command timeout is a miss; the parallel suite on two cores can take that long.
        config.redis.commandTimeout = .seconds(2)
        return config
    }

    @Test("the memory tier evicts the least recently used and never holds more than its capacity")
    func lru() {
        let entry = ByteBuffer(repeating: 0x61, count: 100)
        // Every key below is two or three characters; an entry counts its key and its bookkeeping too.
        let cost = MemoryCacheTier.cost(key: "k0", value: entry)
        #expect(cost > 100 + 2)
        let tier = MemoryCacheTier(capacityBytes: 10 * cost)
        for index in 0..<10 { tier.set("k\(index)", entry, ttl: .seconds(60)) }
        #expect(tier.bytesHeld == 10 * cost)
        _ = tier.get("k0")
        tier.set("k10", entry, ttl: .seconds(60))
        #expect(tier.get("k0") != nil, "recently used stays")
        #expect(tier.get("k1") == nil, "least recently used went")
        for index in 11..<100 { tier.set("k\(index)", entry, ttl: .seconds(60)) }
        #expect(tier.bytesHeld <= 10 * cost)
        tier.set("huge", ByteBuffer(repeating: 0x62, count: 2 * cost), ttl: .seconds(60))
        #expect(tier.get("huge") == nil, "one answer may not take more than an eighth")
        // A buffer with room to spare is kept as just its bytes (what it is counted for).
        var roomy = ByteBuffer()
        roomy.reserveCapacity(4096)
        roomy.writeBytes(Array(repeating: UInt8(0x63), count: 100))
        tier.set("k9", roomy, ttl: .seconds(60))
        #expect(tier.get("k9").map { $0.capacity < 4096 && $0.readableBytesView.elementsEqual(roomy.readableBytesView) } == true)
        let start = ContinuousClock.now
        tier.set("short", entry, ttl: .seconds(1), now: start)
        #expect(tier.get("short", now: start + .seconds(2)) == nil, "expired")
    }

    @Test("the key ignores field order and unrelated fields, not the prompt or sampling")
    func key() {
        let a = CacheKey.chat(ByteBuffer(string: #"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":0}"#), client: "team-a")
        let b = CacheKey.chat(
            ByteBuffer(string: #"{"temperature":0,"user":"u1","messages":[{"role":"user","content":"x"}],"model":"m"}"#),
            client: "team-a"
        )
        let c = CacheKey.chat(ByteBuffer(string: #"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1}"#), client: "team-a")
        let d = CacheKey.chat(ByteBuffer(string: #"{"model":"m","messages":[{"role":"user","content":"y"}],"temperature":0}"#), client: "team-a")
        #expect(a != nil && a == b)
        #expect(a != c && a != d)
    }

    @Test("a repeated request is a byte-identical hit, streamed or not; no-cache and bypass skip it", arguments: [false, true])
    func hits(stream: Bool) async throws {
        try await GatewayHarness.with(Self.config()) { gateway in
            let body = GatewayHarness.chatBody(model: "mock-gpt", stream: stream, extra: #","temperature":0.\#(stream ? 1 : 2)"#)
            let first = try await gateway.post("/v1/chat/completions", json: body)
            #expect(first.status == 200 && first.headers.first(name: "x-llm-gateway-cache") == "miss")
            try await Task.sleep(for: .milliseconds(1100))  // a fresh answer would carry a new `created`
            let second = try await gateway.post("/v1/chat/completions", json: body)
            #expect(second.headers.first(name: "x-llm-gateway-cache") == "hit")
            #expect(second.body == first.body)
            if stream {
                #expect(second.headers.first(name: "content-type") == "text/event-stream")
                #expect(second.body.hasSuffix("data: [DONE]\n\n"))
            }
            let skipped = try await gateway.post("/v1/chat/completions", json: body, headers: [("cache-control", "no-cache")])
            #expect(skipped.headers.first(name: "x-llm-gateway-cache") == "bypass")
            #expect(skipped.body != first.body)
            let bypassed = try await gateway.post("/v1/chat/completions", json: body, headers: [("x-llm-gateway-cache", "bypass")])
            #expect(bypassed.headers.first(name: "x-llm-gateway-cache") == "bypass")
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            #expect(MetricsTests.value(scrape, #"llm_cache_requests_total{result="hit"}"#) == 1)
            #expect(MetricsTests.value(scrape, #"llm_cache_requests_total{result="miss"}"#) == 1)
            #expect(MetricsTests.value(scrape, #"llm_cache_requests_total{result="bypass"}"#) == 2)
        }
    }

    @Test("replica B hits what replica A cached, through Redis, byte for byte", arguments: [false, true])
    func shared(stream: Bool) async throws {
        let server = try await RedisServer.start(password: "cache-pw")
        defer { server.stop() }
        let config = Self.config(redis: server.url(database: 4))
        let body = GatewayHarness.chatBody(model: "mock-gpt", stream: stream, extra: #","seed":\#(stream ? 7 : 8)"#)
        let client = RateLimitStoreTests.redisStore(server, database: 4).1
        let cached = try await GatewayHarness.with(config) { a in
            let reply = try await a.post("/v1/chat/completions", json: body)
            #expect(reply.headers.first(name: "x-llm-gateway-cache") == "miss")
            // The entry is written to Redis after the answer: wait for it (a loaded machine takes its time).
            for _ in 0..<100 where try await client.send(["DBSIZE"]).int != 1 {
                try await Task.sleep(for: .milliseconds(50))
            }
            return reply.body
        }
        try await Task.sleep(for: .milliseconds(1100))  // a fresh answer would carry a new `created`
        try await GatewayHarness.with(config) { b in
            let reply = try await b.post("/v1/chat/completions", json: body)
            #expect(reply.headers.first(name: "x-llm-gateway-cache") == "hit")
            #expect(reply.body == cached)
        }
    }

    @Test("two client keys, the same prompt: the second misses unless sharing is configured", arguments: [false, true])
    func tenants(shared: Bool) async throws {
        var config = Self.config()
        config.cache.sharedAcrossKeys = shared
        config.auth.apiKeys = [ClientKey(name: "team-a", key: "sk-gw-a"), ClientKey(name: "team-b", key: "sk-gw-b")]
        try await GatewayHarness.with(config) { gateway in
            let body = GatewayHarness.chatBody(model: "mock-gpt", extra: #","seed":\#(shared ? 11 : 12)"#)
            let a = try await gateway.post("/v1/chat/completions", json: body, headers: [("authorization", "Bearer sk-gw-a")])
            #expect(a.status == 200 && a.headers.first(name: "x-llm-gateway-cache") == "miss")
            let again = try await gateway.post("/v1/chat/completions", json: body, headers: [("authorization", "Bearer sk-gw-a")])
            #expect(again.headers.first(name: "x-llm-gateway-cache") == "hit", "the same key hits")
            let b = try await gateway.post("/v1/chat/completions", json: body, headers: [("authorization", "Bearer sk-gw-b")])
            #expect(b.headers.first(name: "x-llm-gateway-cache") == (shared ? "hit" : "miss"))
            #expect((b.body == a.body) == shared, "another key never sees A's answer unless shared")
        }
    }

    @Test("a stream that ends in an error event, or is larger than the entry bound, is not stored")
    func incompleteNotStored() async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
            try await body.write(OpenAIWire.chunk("partial"))
            try await body.write(ByteBuffer(string: "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n"))
            try await body.finish(nil)
        }
        defer { Task { await upstream.stop() } }
        var config = GatewayConfig.withUpstream(upstream.baseURL)
        config.cache.enabled = true
        config.cache.maxEntryBytes = 200
        try await GatewayHarness.with(config) { gateway in
            for _ in 0..<2 {
                let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-test", stream: true))
                #expect(reply.headers.first(name: "x-llm-gateway-cache") == "miss")
            }
            // A whole answer larger than the bound is relayed, not kept.
            let mock = GatewayHarness.chatBody(model: "mock-gpt", extra: #","max_tokens":200"#)
            for _ in 0..<2 {
                let reply = try await gateway.post("/v1/chat/completions", json: mock)
                #expect(reply.status == 200 && reply.headers.first(name: "x-llm-gateway-cache") == "miss")
            }
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            #expect(MetricsTests.value(scrape, #"llm_cache_stores_skipped_total{reason="incomplete"}"#) == 2)
            #expect(MetricsTests.value(scrape, #"llm_cache_stores_skipped_total{reason="too_large"}"#) == 2)
        }
    }
}
