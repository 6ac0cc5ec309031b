import Foundation
import Testing

@testable import Gateway
@testable import Telemetry

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    static let serverError = GatewayError.upstreamStatus(status: 500, message: "", type: nil, code: nil, retryAfter: nil)

    func breaker(cooldown: Duration = .seconds(30)) -> CircuitBreaker {
        var settings = CircuitBreakerConfig()
        settings.cooldown = cooldown
        let registry = MetricsRegistry(version: "v", revision: "r")
        return CircuitBreaker(settings: settings, gauge: LazySeries(registry.gauge(MetricCatalog.circuitBreakerState), "p", "m"))
    }

    @Test("three consecutive failures open it; a success in between resets the count")
    func opens() {
        let breaker = breaker()
        breaker.recordFailure(Self.serverError)
        breaker.recordFailure(Self.serverError)
        breaker.recordSuccess()
        breaker.recordFailure(Self.serverError)
        breaker.recordFailure(Self.serverError)
        #expect(breaker.permit())
        breaker.recordFailure(Self.serverError)
        #expect(!breaker.permit())
        // Client mistakes and rate limits say nothing about the deployment's health.
        let fresh = self.breaker()
        for _ in 0..<5 { fresh.recordFailure(.invalidRequest(message: "bad")) }
        for _ in 0..<5 { fresh.recordFailure(.upstreamStatus(status: 429, message: "", type: nil, code: nil, retryAfter: "1")) }
        #expect(fresh.permit())
    }

    @Test("after the cooldown one probe goes through; two successes close it, a failure re-opens it")
    func halfOpen() {
        let breaker = breaker(cooldown: .seconds(10))
        let start = ContinuousClock.now
        for _ in 0..<3 { breaker.recordFailure(Self.serverError, now: start) }
        #expect(!breaker.permit(now: start + .seconds(5)))
        #expect(breaker.permit(now: start + .seconds(11)))
        #expect(!breaker.permit(now: start + .seconds(11)), "only one probe at a time")
        breaker.recordSuccess()
        #expect(breaker.permit(now: start + .seconds(12)))
        breaker.recordSuccess()
        #expect(breaker.current == .closed(failures: 0))

        for _ in 0..<3 { breaker.recordFailure(Self.serverError, now: start + .seconds(20)) }
        #expect(breaker.permit(now: start + .seconds(31)))
        breaker.recordFailure(Self.serverError, now: start + .seconds(31))
        #expect(!breaker.permit(now: start + .seconds(32)))
    }

    @Test("an open deployment is skipped: the next one serves at once, and with none left it is a fast 503")
    func skipped() async throws {
        let upstream = try await UpstreamAttemptsTests.flaky(failures: 1000, status: 500)
        defer { Task { await upstream.stop() } }
        var config = GatewayConfig.withUpstream(
            upstream.baseURL,
            models: ["chat": [ModelDeployment(provider: "upstream", model: "gpt-test"), ModelDeployment(provider: "mock", model: "mock-gpt")]]
        )
        config.models["solo"] = [ModelDeployment(provider: "upstream", model: "gpt-solo")]
        try await GatewayHarness.with(config) { gateway in
            for _ in 0..<3 {
                let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat"))
                #expect(reply.status == 200 && reply.headers.first(name: "x-llm-gateway-attempts") == "2")
            }
            let afterOpen = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat"))
            #expect(afterOpen.status == 200)
            #expect(afterOpen.headers.first(name: "x-llm-gateway-provider") == "mock")
            #expect(afterOpen.headers.first(name: "x-llm-gateway-attempts") == "1")
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            #expect(MetricsTests.value(scrape, #"llm_circuit_breaker_state{provider="upstream",model="gpt-test"}"#) == 2)

            for _ in 0..<3 { _ = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "solo")) }
            let before = upstream.received.count
            let refused = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "solo"))
            #expect(refused.status == 503)
            #expect(refused.error["code"] as? String == "service_unavailable")
            #expect(upstream.received.count == before, "an open breaker sends nothing upstream")
        }
        #expect(upstream.received.count == 6)
    }
}
