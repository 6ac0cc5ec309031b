import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import Gateway

@Suite("Graceful drain")
struct DrainTests {
    @Test("shutdown turns readiness 503, refuses new connections, and lets an open stream finish")
    func drainFinishesOpenStream() async throws {
        var config = ConfigLoader.embeddedDefault()
        config.providers["mock"]?.mock.timeToFirstTokenMs = 50
        config.providers["mock"]?.mock.interTokenMs = 60
        config.providers["mock"]?.mock.replyTokens = 20
        config.server.drainDelaySeconds = 2
        config.server.shutdownTimeoutSeconds = 10
        try await GatewayHarness.with(config) { gateway in
            // Readiness is probed on its own client so the stream's connection pool is not involved.
            let probe = HTTPClient(eventLoopGroupProvider: .singleton)
            var request = HTTPClientRequest(url: gateway.baseURL + "/v1/chat/completions")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: GatewayHarness.chatBody(model: "mock-gpt", stream: true)))
            let response = try await gateway.client.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 200)

            await gateway.group.triggerGracefulShutdown()
            try await HealthCheckTests.waitUntil(.seconds(5)) { gateway.runtime.drain.isDraining }
            let ready = try await probe.execute(HTTPClientRequest(url: gateway.baseURL + "/health/ready"), timeout: .seconds(5))
            #expect(ready.status.code == 503)

            var text = ""
            for try await chunk in response.body { text += String(buffer: chunk) }
            #expect(text.hasSuffix("data: [DONE]\n\n"))
            #expect(text.components(separatedBy: "chat.completion.chunk").count - 1 == 21)

            // After the drain delay the listener no longer accepts connections.
            try await Task.sleep(for: .milliseconds(2100))
            await #expect(throws: (any Error).self) {
                _ = try await probe.execute(HTTPClientRequest(url: gateway.baseURL + "/health/live"), timeout: .seconds(2))
            }
            try await probe.shutdown()
        }
    }
}
