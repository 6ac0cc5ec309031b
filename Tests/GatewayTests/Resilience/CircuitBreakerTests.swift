import Foundation
import Logging
import Testing

@testable import Gateway
@testable import Telemetry

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    static let serverError = GatewayError.upstreamStatus(status: 500, message: "", type: nil, code: nil, retryAfter: nil)

    func breaker(cooldown: Duration = .seconds(30), registry: MetricsRegistry = MetricsRegistry(version: "v", revision: "r")) -> CircuitBreaker {
        var settings = CircuitBreakerConfig()
        settings.cooldown = cooldown
        return breaker(settings, registry: registry)
    }

    func breaker(_ settings: CircuitBreakerConfig, registry: MetricsRegistry = MetricsRegistry(version: "v", revision: "r")) -> CircuitBreaker {
        CircuitBreaker(settings: settings, signals: .init(provider: "p", model: "m", registry: registry, logger: Logger(label: "test")))
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
        for _ in 0..<5 { fresh.recordFailure(.upstreamStatus(status: 429, message: "", type: nil, code: nil, retryAfter: nil)) }
        #expect(fresh.permit())
    }

    @Test("a 429's Retry-After holds the deployment back for that long, without opening the breaker")
    func throttled() {
        let breaker = breaker()
        let start = ContinuousClock.now
        breaker.recordFailure(.upstreamStatus(status: 429, message: "", type: nil, code: nil, retryAfter: "2"), now: start)
        #expect(!breaker.permit(now: start + .seconds(1)))
        #expect(!breaker.isAvailable(now: start + .seconds(1)))
        #expect(breaker.throttle(now: start + .seconds(1))?.until == start + .seconds(2))
        #expect(breaker.permit(now: start + .seconds(2)))
        #expect(breaker.current == .closed(failures: 0))
    }

    @Test("an error rate over the threshold in the window opens it, once the window has enough attempts")
    func errorRate() {
        var settings = CircuitBreakerConfig()
        settings.minimumRequests = 20
        settings.errorRateWindow = .seconds(120)
        let registry = MetricsRegistry(version: "v", revision: "r")
        let breaker = breaker(settings, registry: registry)
        let start = ContinuousClock.now
        // 2 failures in every 10 attempts (20 %), never 3 in a row.
        for index in 0..<19 {
            if index % 5 == 4 { breaker.recordFailure(Self.serverError, now: start) } else { breaker.recordSuccess(now: start) }
        }
        #expect(breaker.permit(now: start), "19 attempts are below minimum_requests")
        breaker.recordFailure(Self.serverError, now: start)
        #expect(!breaker.permit(now: start + .seconds(1)))
        #expect(registry.counter(MetricCatalog.circuitBreakerOpensTotal).labels("p", "m", "error_rate").value == 1)

        // The same failures spread beyond the window never add up.
        let spread = self.breaker(settings)
        for index in 0..<40 {
            let now = start + .seconds(30 * index)
            if index % 5 == 4 { spread.recordFailure(Self.serverError, now: now) } else { spread.recordSuccess(now: now) }
        }
        #expect(spread.permit(now: start + .seconds(30 * 40)))
    }

    @Test("a mean latency over the threshold opens it; zero disables the trigger")
    func latency() {
        var settings = CircuitBreakerConfig()
        settings.minimumRequests = 5
        settings.latencyThreshold = .seconds(2)
        let registry = MetricsRegistry(version: "v", revision: "r")
        let breaker = breaker(settings, registry: registry)
        let start = ContinuousClock.now
        for _ in 0..<4 { breaker.recordSuccess(latency: .seconds(3), now: start) }
        #expect(breaker.permit(now: start))
        breaker.recordSuccess(latency: .seconds(3), now: start)
        #expect(!breaker.permit(now: start))
        #expect(registry.counter(MetricCatalog.circuitBreakerOpensTotal).labels("p", "m", "latency").value == 1)

        let fast = self.breaker(settings)
        for _ in 0..<50 { fast.recordSuccess(latency: .milliseconds(1500), now: start) }
        #expect(fast.permit(now: start))
        settings.latencyThreshold = .zero
        let disabled = self.breaker(settings)
        for _ in 0..<50 { disabled.recordSuccess(latency: .seconds(30), now: start) }
        #expect(disabled.permit(now: start))
    }

    @Test("health checks open it at once, and a good probe ends the cooldown early")
    func steeredByHealth() {
        let breaker = breaker(cooldown: .seconds(300))
        breaker.forceOpen()
        #expect(!breaker.permit())
        breaker.endCooldown()
        #expect(breaker.permit(), "one probe request may go")
        #expect(!breaker.permit())
    }

    @Test("the window forgets what is older than its span")
    func window() {
        let start = ContinuousClock.now
        var window = OutcomeWindow(window: .seconds(60), buckets: 6, origin: start)
        window.record(failure: true, latency: nil, now: start)
        window.record(failure: false, latency: .seconds(1), now: start + .seconds(30))
        window.record(failure: false, latency: .seconds(3), now: start + .seconds(59))
        #expect(window.totals(now: start + .seconds(59)) == .init(attempts: 3, failures: 1, latencySamples: 2, latencySum: .seconds(4)))
        #expect(window.totals(now: start + .seconds(65)).attempts == 2)
        #expect(window.totals(now: start + .seconds(95)).attempts == 1)
        #expect(window.totals(now: start + .seconds(200)).attempts == 0)
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
