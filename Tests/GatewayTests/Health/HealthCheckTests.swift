import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Synchronization
import Testing

@testable import Gateway

@Suite("Active health checks")
struct HealthCheckTests {
    /// An upstream that answers everything (probes included) with 503 while `down`.
    static func switchable(_ down: SharedValue<Bool>) async throws -> TestUpstream {
        try await TestUpstream.start { request, _, writer in
            if down.value {
                return try await OpenAIWire.error(status: 503, message: "down for maintenance", type: "server_error", code: nil, to: writer)
            }
            if request.uri.path.hasSuffix("/models") {
                return try await OpenAIWire.json(ByteBuffer(string: #"{"object":"list","data":[]}"#), to: writer)
            }
            try await OpenAIWire.json(OpenAIWire.completion(model: "gpt-test", content: "back"), to: writer)
        }
    }

    @Test("with every deployment down the answer is a fast 503; traffic returns within one probe interval")
    func downAndBack() async throws {
        let down = SharedValue(false)
        let upstream = try await Self.switchable(down)
        defer { Task { await upstream.stop() } }
        var config = GatewayConfig.withUpstream(upstream.baseURL, models: ["chat": [ModelDeployment(provider: "upstream", model: "gpt-test")]])
        config.healthChecks.enabled = true
        config.healthChecks.interval = Duration.seconds(1)
        config.healthChecks.timeout = Duration.milliseconds(500)
        // Only the probes can bring it back this quickly.
        config.providers["upstream"]!.circuitBreaker.cooldown = .seconds(120)
        try await GatewayHarness.with(config) { gateway in
            func health() async throws -> Double? {
                MetricsTests.value(
                    try await gateway.get("/metrics", port: gateway.metricsPort).body,
                    #"llm_provider_health_status{provider="upstream"}"#
                )
            }
            #expect(try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat")).status == 200)
            down.value = true
            for _ in 0..<3 { _ = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat")) }
            let started = ContinuousClock.now
            let chatsBefore = upstream.received.filter { $0.path.hasSuffix("/chat/completions") }.count
            let refused = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat"))
            #expect(refused.status == 503 && refused.error["code"] as? String == "service_unavailable")
            // Answered without trying the upstream, so without waiting for any of its timeouts.
            #expect(upstream.received.filter { $0.path.hasSuffix("/chat/completions") }.count == chatsBefore)
            #expect(ContinuousClock.now - started < .seconds(1), "an open breaker answers at once")

            func probes(_ result: String) async throws -> Double {
                let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
                return MetricsTests.value(scrape, #"llm_provider_health_checks_total{provider="upstream",result="\#(result)"}"#) ?? 0
            }
            try await Self.waitUntil(.seconds(5)) { try await probes("failure") >= 2 }
            #expect(try await health() == 0)
            let report = try await gateway.get("/health")
            #expect(report.status == 503)
            #expect(report.body.contains(#""healthy":false"#))

            down.value = false
            let successesBefore = try await probes("success")
            try await Self.waitUntil(.seconds(5)) {
                try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat")).status == 200
            }
            // Back on the first successful probes (1 s apart), not after the breaker's 120 s cooldown. Counted in
            // probes rather than seconds, so a loaded machine running every suite at once cannot fail it.
            #expect(try await probes("success") - successesBefore <= 3, "back within the first probes after recovery")
            try await Self.waitUntil(.seconds(5)) { try await health() == 1 }
            #expect(try await probes("success") >= 1)
        }
        let probes = upstream.received.filter { $0.path == "/v1/models" }
        #expect(!probes.isEmpty)
        #expect(probes.allSatisfy { $0.headers[.authorization] == "Bearer sk-upstream-secret" })
    }

    @Test("thresholds: unhealthy after three failures, healthy after two successes; a 429 is not a failure")
    func thresholds() {
        let health = ProviderHealth(name: "p")
        let failure = GatewayError.upstreamStatus(status: 502, message: "", type: nil, code: nil, retryAfter: nil)
        health.recordFailure(failure)
        health.recordFailure(failure)
        health.recordFailure(.upstreamStatus(status: 429, message: "", type: nil, code: nil, retryAfter: nil))
        #expect(health.isHealthy)
        health.recordProbe(success: false, latency: .milliseconds(3))
        #expect(!health.isHealthy)
        health.recordSuccess(latency: .milliseconds(3))
        #expect(!health.isHealthy)
        health.recordProbe(success: true, latency: .milliseconds(3))
        #expect(health.isHealthy)
    }

    @Test("an error rate over the threshold marks it unhealthy without three failures in a row")
    func errorRate() {
        var settings = HealthCheckConfig()
        settings.minimumRequests = 20
        let health = ProviderHealth(name: "p", thresholds: settings)
        let failure = GatewayError.upstreamStatus(status: 500, message: "", type: nil, code: nil, retryAfter: nil)
        // One failure in every five (20 %), never two in a row.
        for index in 0..<19 {
            if index % 5 == 4 { health.recordFailure(failure) } else { health.recordSuccess(latency: .milliseconds(1)) }
        }
        #expect(health.isHealthy, "19 attempts are below minimum_requests")
        health.recordFailure(failure)
        #expect(!health.isHealthy)
        health.recordSuccess(latency: .milliseconds(1))
        health.recordSuccess(latency: .milliseconds(1))
        #expect(!health.isHealthy, "two successes are not enough while the error rate stays over 10 %")
        for _ in 0..<40 { health.recordSuccess(latency: .milliseconds(1)) }
        #expect(health.isHealthy)
    }

    static func waitUntil(_ limit: Duration, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met within \(limit)")
    }
}
