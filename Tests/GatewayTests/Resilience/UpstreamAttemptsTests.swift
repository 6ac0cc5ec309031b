import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Synchronization
import Testing

@testable import Gateway

@Suite("Retries and failover")
struct UpstreamAttemptsTests {
    /// An upstream that fails its first `failures` requests with `status`, then answers.
    static func flaky(failures: Int, status: Int, retryAfter: String? = nil, stream: Bool = false) async throws -> TestUpstream {
        let seen = Mutex(0)
        return try await TestUpstream.start { _, _, writer in
            let count = seen.withLock { count -> Int in
                count += 1
                return count
            }
            if count <= failures {
                return try await OpenAIWire.error(
                    status: status,
                    message: "try again",
                    type: "server_error",
                    code: nil,
                    retryAfter: retryAfter,
                    to: writer
                )
            }
            if stream {
                var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
                try await body.write(OpenAIWire.chunk("recovered"))
                try await body.write(OpenAIWire.done)
                try await body.finish(nil)
            } else {
                try await OpenAIWire.json(OpenAIWire.completion(model: "gpt-test", content: "recovered"), to: writer)
            }
        }
    }

    static func scrape(_ gateway: GatewayHarness, _ series: String) async throws -> Double? {
        MetricsTests.value(try await gateway.get("/metrics", port: gateway.metricsPort).body, series)
    }

    @Test("retryable failures are retried on the same deployment, streamed or not", arguments: [false, true])
    func retries(stream: Bool) async throws {
        let upstream = try await Self.flaky(failures: 2, status: 503, stream: stream)
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL, maxRetries: 3)) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-test", stream: stream))
            #expect(reply.status == 200)
            #expect(reply.body.contains("recovered"))
            #expect(reply.headers.first(name: "x-llm-gateway-attempts") == "3")
            #expect(try await Self.scrape(gateway, #"llm_upstream_retries_total{provider="upstream"}"#) == 2)
            #expect(try await Self.scrape(gateway, #"llm_provider_errors_total{provider="upstream",error_type="server_error"}"#) == 2)
        }
        #expect(upstream.received.count == 3)
    }

    @Test("after the retries, the next deployment serves the request")
    func failover() async throws {
        let upstream = try await Self.flaky(failures: 100, status: 500)
        defer { Task { await upstream.stop() } }
        let models: [String: ModelRoute] = [
            "chat": [ModelDeployment(provider: "upstream", model: "gpt-test"), ModelDeployment(provider: "mock", model: "mock-gpt")]
        ]
        try await GatewayHarness.with(.withUpstream(upstream.baseURL, maxRetries: 1, models: models)) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat"))
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "x-llm-gateway-provider") == "mock")
            #expect(reply.headers.first(name: "x-llm-gateway-attempts") == "3")
            #expect(try await Self.scrape(gateway, #"llm_failovers_total{from_provider="upstream",to_provider="mock"}"#) == 1)
        }
        #expect(upstream.received.count == 2)
    }

    @Test("a client error is not retried")
    func clientErrorsEndAtOnce() async throws {
        let upstream = try await Self.flaky(failures: 100, status: 400)
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL, maxRetries: 3)) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-test"))
            #expect(reply.status == 400)
            #expect(reply.headers.first(name: "x-llm-gateway-attempts") == "1")
        }
        #expect(upstream.received.count == 1)
    }

    @Test("Retry-After is honoured before the retry")
    func retryAfter() async throws {
        let upstream = try await Self.flaky(failures: 1, status: 429, retryAfter: "1")
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL, maxRetries: 1)) { gateway in
            let started = ContinuousClock.now
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-test"))
            #expect(reply.status == 200)
            #expect(ContinuousClock.now - started >= .milliseconds(950))
        }
    }

    @Test("with every deployment down, the last error comes back fast with the attempt count")
    func allDown() async throws {
        var config = GatewayConfig.withUpstream("http://127.0.0.1:1", maxRetries: 2)
        config.connectionPool.connectTimeoutSeconds = 1
        try await GatewayHarness.with(config) { gateway in
            let started = ContinuousClock.now
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-test"))
            #expect(reply.status == 502)
            #expect(reply.error["code"] as? String == "upstream_unreachable")
            #expect(reply.headers.first(name: "x-llm-gateway-attempts") == "3")
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test("backoff grows, stays within its jitter, and a Retry-After beyond the cap moves on")
    func delays() {
        let attempts = UpstreamAttempts()
        let error = GatewayError.upstreamStatus(status: 503, message: "", type: nil, code: nil, retryAfter: nil)
        for _ in 0..<50 {
            let wait = attempts.delay(after: error, backoff: .milliseconds(400))!
            #expect(wait >= .milliseconds(200) && wait <= .milliseconds(600))
        }
        let polite = GatewayError.upstreamStatus(status: 429, message: "", type: nil, code: nil, retryAfter: "3")
        #expect(attempts.delay(after: polite, backoff: .milliseconds(100)) == .seconds(3))
        let tooLong = GatewayError.upstreamStatus(status: 429, message: "", type: nil, code: nil, retryAfter: "120")
        #expect(attempts.delay(after: tooLong, backoff: .milliseconds(100)) == nil)
    }
}
