import Foundation
import Testing

@testable import Gateway

@Suite("Rate limits through the gateway")
struct RateLimitGatewayTests {
    static let key = [("authorization", "Bearer sk-limited")]

    static func config(requests: Int? = nil, tokens: Int? = nil, window: Duration = .seconds(60), redis: String? = nil) -> GatewayConfig {
        var config = ConfigLoader.embeddedDefault()
        config.auth = AuthConfig(apiKeys: [
            ClientKey(
                name: "limited",
                key: "sk-limited",
                rateLimit: RateLimitConfig(requestsPerMinute: requests, tokensPerMinute: tokens, window: window)
            )
        ])
        config.redisURL = redis
        return config
    }

    @Test("over the key's limit: 429 with OpenAI's body, Retry-After and x-ratelimit headers on every answer")
    func refusal() async throws {
        let spans = SpanCollector()
        try await GatewayHarness.with(Self.config(requests: 3, tokens: 10_000), spans: spans) { gateway in
            for remaining in [2, 1, 0] {
                let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-gpt"), headers: Self.key)
                #expect(reply.status == 200)
                #expect(reply.headers.first(name: "x-ratelimit-limit-requests") == "3")
                #expect(reply.headers.first(name: "x-ratelimit-remaining-requests") == String(remaining))
                #expect(reply.headers.first(name: "x-ratelimit-limit-tokens") == "10000")
                #expect(reply.headers.first(name: "x-ratelimit-reset-requests") != nil)
            }
            let refused = try await gateway.post(
                "/v1/chat/completions",
                json: GatewayHarness.chatBody(model: "mock-gpt", stream: true),
                headers: Self.key
            )
            #expect(refused.status == 429)
            #expect(refused.error["code"] as? String == "rate_limit_exceeded")
            #expect(refused.error["type"] as? String == "rate_limit_error")
            #expect(Int(refused.headers.first(name: "retry-after") ?? "") ?? 0 >= 1)
            #expect(refused.headers.first(name: "x-ratelimit-remaining-requests") == "0")
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            #expect(MetricsTests.value(scrape, #"llm_rate_limit_decisions_total{scope="key",result="allowed"}"#) == 3)
            #expect(MetricsTests.value(scrape, #"llm_rate_limit_decisions_total{scope="key",result="rejected"}"#) == 1)
        }
        let results = spans.all.filter { $0.kind == .server }.compactMap { span in
            span.attributes.first { $0.key == "llm_gateway.rate_limit.result" }.map { "\($0.value)" }
        }
        #expect(results.filter { $0.contains("allowed") }.count == 3 && results.filter { $0.contains("rejected") }.count == 1)
    }

    @Test("a provider at its limit is skipped for the next deployment; with none left, 429")
    func providerLimit() async throws {
        var config = ConfigLoader.embeddedDefault()
        var busy = ProviderConfig(type: .mock)
        busy.rateLimit = RateLimitConfig(requestsPerMinute: 2)
        config.providers["busy"] = busy
        config.models["chat"] = [ModelDeployment(provider: "busy", model: "b"), ModelDeployment(provider: "mock", model: "mock-gpt")]
        config.models["only-busy"] = [ModelDeployment(provider: "busy", model: "b")]
        try await GatewayHarness.with(config) { gateway in
            var servedBy: [String] = []
            for _ in 0..<4 {
                let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat"))
                #expect(reply.status == 200)
                servedBy.append(reply.headers.first(name: "x-llm-gateway-provider") ?? "")
            }
            #expect(servedBy == ["busy", "busy", "mock", "mock"])
            let refused = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "only-busy"))
            #expect(refused.status == 429 && refused.headers.first(name: "retry-after") != nil)
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            #expect(MetricsTests.value(scrape, #"llm_rate_limit_decisions_total{scope="provider",result="rejected"}"#) == 3)
        }
    }

    @Test("Redis killed mid-run: requests keep flowing (fail open), metrics and /health show it, limits resume when it returns")
    func redisOutage() async throws {
        let server = try await RedisServer.start()
        let port = server.port
        try await GatewayHarness.with(Self.config(requests: 5, window: .seconds(60), redis: server.url(database: 1))) { gateway in
            func chat() async throws -> Int {
                try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-gpt"), headers: Self.key).status
            }
            var statuses: [Int] = []
            for _ in 0..<6 { statuses.append(try await chat()) }
            #expect(statuses == [200, 200, 200, 200, 200, 429])

            server.stop()
            let started = ContinuousClock.now
            for _ in 0..<10 { #expect(try await chat() == 200, "fail open: the limit cannot be checked, the request goes through") }
            #expect(ContinuousClock.now - started < .seconds(5), "no request stalls beyond the command timeout")
            let health = try await gateway.get("/health")
            #expect(health.status == 503 && health.body.contains(#""redis":false"#))
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            #expect((MetricsTests.value(scrape, #"llm_rate_limit_decisions_total{scope="key",result="fail_open"}"#) ?? 0) == 10)
            #expect(MetricsTests.value(scrape, "llm_redis_up") == 0)
            #expect((MetricsTests.value(scrape, #"llm_redis_errors_total{kind="connection"}"#) ?? 0) > 0)

            let restarted = try await RedisServer.start(port: port)
            defer { restarted.stop() }
            try await HealthCheckTests.waitUntil(.seconds(10)) { try await chat() == 429 }
            #expect(try await gateway.get("/health").body.contains(#""redis":true"#))
        }
        server.stop()
    }
}
