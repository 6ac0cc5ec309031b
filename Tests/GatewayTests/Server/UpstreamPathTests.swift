import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Synchronization
import Testing

@testable import Gateway

@Suite("Requests through an OpenAI-compatible upstream")
struct UpstreamPathTests {
    static let chat = GatewayHarness.chatBody(model: "upstream/gpt-test")

    @Test("a completion passes through unchanged, with the provider's key and path")
    func passThrough() async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            try await OpenAIWire.json(OpenAIWire.completion(model: "gpt-test", content: "hi there"), to: writer)
        }
        defer { Task { await upstream.stop() } }
        let config = GatewayConfig.withUpstream(
            upstream.baseURL,
            models: ["public-chat": [ModelDeployment(provider: "upstream", model: "gpt-4o-mini")]]
        )
        try await GatewayHarness.with(config) { gateway in
            let direct = try await gateway.post("/v1/chat/completions", json: Self.chat)
            #expect(direct.status == 200)
            #expect(direct.body == String(buffer: OpenAIWire.completion(model: "gpt-test", content: "hi there")))
            let mapped = try await gateway.post(
                "/v1/chat/completions",
                json: GatewayHarness.chatBody(model: "public-chat", extra: #","x_vendor":{"keep":true}"#)
            )
            #expect(mapped.status == 200)
        }
        let received = upstream.received
        #expect(received.count == 2)
        #expect(received.first?.path == "/v1/chat/completions")
        #expect(received.first?.headers[.authorization] == "Bearer sk-upstream-secret")
        let first = try JSONSerialization.jsonObject(with: Data(buffer: received[0].body)) as? [String: Any]
        #expect(first?["model"] as? String == "gpt-test")
        let second = try JSONSerialization.jsonObject(with: Data(buffer: received[1].body)) as? [String: Any]
        #expect(second?["model"] as? String == "gpt-4o-mini")
        #expect((second?["x_vendor"] as? [String: Any])?["keep"] as? Bool == true)
    }

    @Test("the gateway's own time leaves out the upstream's: x-llm-gateway-overhead-ms and llm_gateway_overhead_seconds")
    func overhead() async throws {
        let upstream = try await TestUpstream.start { _, body, writer in
            try await Task.sleep(for: .milliseconds(1500))
            if String(buffer: body).contains(#""stream":true"#) {
                var events = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
                try await events.write(OpenAIWire.chunk("a"))
                try await Task.sleep(for: .milliseconds(1500))
                try await events.write(OpenAIWire.done)
                try await events.finish(nil)
            } else {
                try await OpenAIWire.json(OpenAIWire.completion(model: "gpt-test", content: "hi"), to: writer)
            }
        }
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL)) { gateway in
            for stream in [false, true] {
                let started = ContinuousClock.now
                let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-test", stream: stream))
                let elapsed = ContinuousClock.now - started
                #expect(reply.status == 200)
                let header = try #require(reply.headers.first(name: "x-llm-gateway-overhead-ms").flatMap(Double.init))
                // The upstream took 1.5 s before the head; the gateway's share is what is left (the margin is
                // for a loaded machine running every suite at once).
                #expect(header >= 0 && header < 1000, "overhead \(header) ms, stream \(stream)")
                #expect(elapsed >= .milliseconds(1500))
            }
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            let series = #"llm_gateway_overhead_seconds_count{route="/v1/chat/completions"}"#
            #expect(MetricsTests.value(scrape, series) == 2)
            let sum = try #require(MetricsTests.value(scrape, #"llm_gateway_overhead_seconds_sum{route="/v1/chat/completions"}"#))
            #expect(sum >= 0 && sum < 2, "sum \(sum) s should leave out the 4.5 s of upstream time")
            #expect(MetricsTests.value(scrape, #"llm_gateway_overhead_seconds_count{route="/v1/embeddings"}"#) == 0)
        }
    }

    @Test("the first chunk reaches the client before the upstream has finished")
    func streamIsNotBuffered() async throws {
        let release = AsyncStream<Void>.makeStream()
        let upstream = try await TestUpstream.start { _, _, writer in
            var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
            try await body.write(OpenAIWire.chunk("first"))
            for await _ in release.stream { break }
            try await body.write(OpenAIWire.chunk("second"))
            try await body.write(OpenAIWire.done)
            try await body.finish(nil)
        }
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL)) { gateway in
            var request = HTTPClientRequest(url: gateway.baseURL + "/v1/chat/completions")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: GatewayHarness.chatBody(model: "upstream/gpt-test", stream: true)))
            let response = try await gateway.client.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 200)
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            var text = ""
            var sawFirstWhileUpstreamOpen = false
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if !sawFirstWhileUpstreamOpen && text.contains("first") {
                    sawFirstWhileUpstreamOpen = upstream.finishedCount == 0
                    release.continuation.yield()
                }
            }
            #expect(sawFirstWhileUpstreamOpen)
            #expect(text.contains("second"))
            #expect(text.hasSuffix("data: [DONE]\n\n"))
        }
    }

    @Test(
        "upstream errors keep their status, message and Retry-After",
        arguments: [
            (429, "rate_limit_exceeded", "2"), (500, nil, nil), (503, nil, nil), (400, "context_length_exceeded", nil),
        ]
    )
    func upstreamErrors(status: Int, code: String?, retryAfter: String?) async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            try await OpenAIWire.error(
                status: status,
                message: "upstream says no",
                type: "upstream_type",
                code: code,
                retryAfter: retryAfter,
                to: writer
            )
        }
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL)) { gateway in
            for stream in [false, true] {
                let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-test", stream: stream))
                #expect(reply.status == status)
                // A 4xx's text reaches the client (it is about the request); a 5xx's stays in the logs, and the
                // client gets a generic message with the request id.
                let message = reply.error["message"] as? String ?? ""
                if status >= 500 {
                    #expect(
                        message
                            == "The upstream provider 'upstream' failed with HTTP \(status). Request id: \(reply.headers.first(name: "x-request-id") ?? "?")."
                    )
                } else {
                    #expect(message == "upstream says no")
                }
                #expect(reply.error["code"] as? String == code)
                #expect(reply.headers.first(name: "retry-after") == retryAfter)
            }
        }
    }

    @Test("an unreachable upstream is 502")
    func unreachable() async throws {
        var config = GatewayConfig.withUpstream("http://127.0.0.1:1")
        config.connectionPool.connectTimeoutSeconds = 1
        try await GatewayHarness.with(config) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: Self.chat)
            #expect(reply.status == 502)
            #expect(reply.error["code"] as? String == "upstream_unreachable")
        }
    }

    @Test("an upstream that does not answer in time is 504")
    func timeout() async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            try await Task.sleep(for: .seconds(10))
            try await OpenAIWire.json(OpenAIWire.completion(model: "m", content: "late"), to: writer)
        }
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL, timeoutSeconds: 0.3)) { gateway in
            let started = ContinuousClock.now
            let reply = try await gateway.post("/v1/chat/completions", json: Self.chat)
            #expect(reply.status == 504)
            #expect(reply.error["code"] as? String == "upstream_timeout")
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("a stream cut halfway ends with an error event, not a silent truncation")
    func truncatedStream() async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
            try await body.write(OpenAIWire.chunk("partial"))
            try await body.finish(nil)
        }
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL)) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-test", stream: true))
            #expect(reply.status == 200)
            #expect(reply.body.contains("partial"))
            #expect(reply.body.contains(#"data: {"error":"#))
            #expect(reply.body.contains("upstream_invalid_response"))
        }
    }

    @Test("embeddings pass through to the upstream")
    func embeddings() async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            try await OpenAIWire.json(
                ByteBuffer(
                    string:
                        #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"e","usage":{"prompt_tokens":1,"total_tokens":1}}"#
                ),
                to: writer
            )
        }
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL)) { gateway in
            let reply = try await gateway.post("/v1/embeddings", json: #"{"model":"upstream/text-embedding-3-small","input":"hello"}"#)
            #expect(reply.status == 200)
            #expect((reply.json["data"] as? [[String: Any]])?.count == 1)
        }
        #expect(upstream.received.first?.path == "/v1/embeddings")
    }
}
