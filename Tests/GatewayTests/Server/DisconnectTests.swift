import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Testing

@testable import Gateway

@Suite("Client disconnects cancel the upstream request")
struct DisconnectTests {
    /// Waits up to `limit` for `condition`.
    static func eventually(within limit: Duration = .seconds(3), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test("mid-stream: the upstream sees its request cancelled")
    func midStream() async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
            for index in 0..<400 {
                try await body.write(OpenAIWire.chunk("token\(index)"))
                try await Task.sleep(for: .milliseconds(25))
            }
            try await body.write(OpenAIWire.done)
            try await body.finish(nil)
        }
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL)) { gateway in
            let reader = Task {
                var request = HTTPClientRequest(url: gateway.baseURL + "/v1/chat/completions")
                request.method = .POST
                request.body = .bytes(ByteBuffer(string: GatewayHarness.chatBody(model: "upstream/gpt-test", stream: true)))
                let response = try await gateway.client.execute(request, timeout: .seconds(30))
                for try await chunk in response.body where String(buffer: chunk).contains("token2") {
                    return
                }
            }
            _ = try? await reader.value
            // Leaving the body loop drops the response; the client closes the connection.
            let ok1 = try await Self.eventually { upstream.cancelledCount == 1 }
            #expect(ok1)
            #expect(upstream.finishedCount == 0)
        }
    }

    @Test("before the first token, streamed or not: the upstream sees its request cancelled", arguments: [true, false])
    func beforeFirstToken(stream: Bool) async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            try await Task.sleep(for: .seconds(20))
            try await OpenAIWire.json(OpenAIWire.completion(model: "m", content: "late"), to: writer)
        }
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(.withUpstream(upstream.baseURL, timeoutSeconds: 60)) { gateway in
            let caller = Task {
                _ = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-test", stream: stream))
            }
            let ok2 = try await Self.eventually { upstream.received.count == 1 }
            #expect(ok2)
            caller.cancel()
            let ok3 = try await Self.eventually { upstream.cancelledCount == 1 }
            #expect(ok3)
        }
    }
}
