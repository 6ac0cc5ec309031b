import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import Gateway

/// Each fault against a model with a faulty first deployment and a healthy second one: a few hundred
/// requests, streamed and not, and not one error reaches the client; the fault shows in the metrics,
/// the breaker and the spans.
@Suite("Fault injection")
struct FaultInjectionTests {
    static let requests = 240
    static let concurrency = 8

    struct Outcome: Sendable {
        var status: Int
        var body: String
        var stream: Bool
        var attempts: Int
        var traceID: String
    }

    /// `upstream` (faulty, tried first) and `healthy`, both OpenAI-typed, one retry each.
    /// - Parameter holdBack: the breaker's cooldown, which also caps how long a 429's Retry-After holds the
    ///   deployment aside.
    static func config(faulty: String, healthy: String, holdBack: Duration = .milliseconds(500)) -> GatewayConfig {
        var config = GatewayConfig.withUpstream(
            faulty,
            timeoutSeconds: 5,
            maxRetries: 1,
            models: ["chat": [ModelDeployment(provider: "upstream", model: "gpt-f"), ModelDeployment(provider: "healthy", model: "gpt-h")]]
        )
        config.providers["upstream"]!.firstByteTimeoutSeconds = 0.3
        config.providers["upstream"]!.idleTimeoutSeconds = 0.5
        // A patient breaker, so dozens of requests meet each fault before it opens (by consecutive failures only).
        config.providers["upstream"]!.circuitBreaker.cooldown = holdBack
        config.providers["upstream"]!.circuitBreaker.failureThreshold = 40
        config.providers["upstream"]!.circuitBreaker.errorRateThreshold = 1
        var second = ProviderConfig(type: .openai)
        second.baseURL = healthy
        second.apiKey = "sk-healthy"
        second.maxRetries = 1
        config.providers["healthy"] = second
        return config
    }

    /// Sends `count` chat requests, `concurrency` at a time, each with its own trace id.
    static func drive(_ gateway: GatewayHarness, count: Int, stream: @escaping @Sendable (Int) -> Bool) async throws -> [Outcome] {
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var outcomes: [Outcome] = []
            for index in 0..<count {
                if index >= concurrency, let done = try await group.next() { outcomes.append(done) }
                group.addTask {
                    let traceID = String(format: "%032x", UInt64.random(in: 1...UInt64.max))
                    let streamed = stream(index)
                    let reply = try await gateway.post(
                        "/v1/chat/completions",
                        json: GatewayHarness.chatBody(model: "chat", stream: streamed),
                        headers: [("traceparent", "00-\(traceID)-00f067aa0ba902b7-01")]
                    )
                    let attempts = Int(reply.headers.first(name: "x-llm-gateway-attempts") ?? "") ?? 0
                    return Outcome(status: reply.status, body: reply.body, stream: streamed, attempts: attempts, traceID: traceID)
                }
            }
            for try await done in group { outcomes.append(done) }
            return outcomes
        }
    }

    static func expectedErrorType(_ fault: Fault) -> String {
        switch fault {
        case .connectionReset, .streamCut: "connection"
        case .hang, .slowFirstByte: "timeout"
        case .serverErrorBursts: "server_error"
        case .rateLimited: "rate_limited"
        case .malformedJSON: "invalid_response"
        }
    }

    @Test("while one healthy deployment remains, no fault reaches the client", arguments: Fault.allCases)
    func zeroClientErrors(fault: Fault) async throws {
        let faulty = try await FaultyUpstream.start(fault)
        let healthy = try await FaultyUpstream.healthy()
        defer {
            Task {
                await faulty.stop()
                await healthy.stop()
            }
        }
        let spans = SpanCollector()
        // The 429's Retry-After (1 s) holds the busy deployment aside for all of it, however slow a loaded machine runs.
        let holdBack: Duration = fault == .rateLimited ? .seconds(1) : .milliseconds(500)
        let config = Self.config(faulty: faulty.baseURL, healthy: healthy.baseURL, holdBack: holdBack)
        try await GatewayHarness.with(config, spans: spans) { gateway in
            // Once the first byte is out nothing can be retried, so a stream cut mid-answer is fought on whole answers.
            let outcomes = try await Self.drive(gateway, count: Self.requests) { fault.isBeforeFirstByte && $0 % 2 == 1 }
            let failed = outcomes.filter {
                $0.status != 200 || ($0.stream ? !$0.body.contains("[DONE]") || $0.body.contains(#""error""#) : !$0.body.contains(#""choices""#))
            }
            #expect(failed.isEmpty, "\(failed.count) client-visible errors, first: \(failed.first.map { "\($0.status) \($0.body)" } ?? "")")
            #expect(outcomes.count == Self.requests)

            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            func value(_ series: String) -> Double { MetricsTests.value(scrape, series) ?? 0 }
            #expect(value(#"llm_provider_errors_total{provider="upstream",error_type="\#(Self.expectedErrorType(fault))"}"#) > 0)
            #expect(value(#"llm_failovers_total{from_provider="upstream",to_provider="healthy"}"#) > 0)
            let opens = CircuitBreaker.OpenReason.allCases.map {
                value(#"llm_circuit_breaker_opens_total{provider="upstream",model="gpt-f",reason="\#($0.rawValue)"}"#)
            }
            if fault == .rateLimited {
                // A 429 moves on at once and its Retry-After keeps the deployment aside; it never trips the breaker.
                #expect(opens.reduce(0, +) == 0)
                #expect(faulty.received.count < Self.requests / 4, "Retry-After keeps most requests away from the busy deployment")
            } else {
                #expect(value(#"llm_upstream_retries_total{provider="upstream"}"#) >= 20)
                #expect(value(#"llm_failovers_total{from_provider="upstream",to_provider="healthy"}"#) >= 20)
            }
            if fault != .rateLimited && fault != .serverErrorBursts {
                #expect(opens.reduce(0, +) > 0, "the breaker opened")
                #expect(faulty.received.count < 2 * Self.requests, "an open breaker keeps requests away")
            }

            let clientSpans = spans.clientSpansByTrace()
            let mismatched = outcomes.filter { clientSpans[$0.traceID] != $0.attempts }
            #expect(mismatched.isEmpty, "one client span per attempt (\(mismatched.count) requests differ)")
        }
    }

    @Test("a stream cut after its first byte ends with an OpenAI error event and a clean end")
    func midStreamCut() async throws {
        let faulty = try await FaultyUpstream.start(.streamCut)
        defer { Task { await faulty.stop() } }
        try await GatewayHarness.with(.withUpstream(faulty.baseURL, maxRetries: 1)) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-f", stream: true))
            #expect(reply.status == 200)
            #expect(reply.body.contains("half"), "what arrived before the cut is relayed")
            let last = reply.body.split(separator: "\n\n").last.map(String.init) ?? ""
            #expect(last.hasPrefix("data: {\"error\""), "the stream's last event is the error: \(last)")
            #expect(reply.headers.first(name: "x-llm-gateway-attempts") == "1", "nothing is retried after the first byte")
        }
    }
}
