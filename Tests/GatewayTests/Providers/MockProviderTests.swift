import Foundation
import NIOCore
import NIOFoundationCompat
import Testing

@testable import Gateway

@Suite("Mock provider")
struct MockProviderTests {
    func request(_ json: String) throws -> ChatCompletionRequest {
        try ChatCompletionRequest(body: ByteBuffer(string: json))
    }

    @Test("the same prompt gives the same reply; another prompt another")
    func deterministic() async throws {
        let provider = MockProvider(name: "mock", config: ConfigLoader.embeddedDefault().providers["mock"]!)
        let first = try await provider.chatCompletion(request(#"{"model":"m","messages":[{"role":"user","content":"a"}]}"#), model: "m")
        let again = try await provider.chatCompletion(request(#"{"model":"m","messages":[{"role":"user","content":"a"}]}"#), model: "m")
        let other = try await provider.chatCompletion(request(#"{"model":"m","messages":[{"role":"user","content":"b"}]}"#), model: "m")
        func content(_ reply: ProviderReply) throws -> String {
            let object = try JSONSerialization.jsonObject(with: Data(buffer: reply.body)) as? [String: Any]
            let message = ((object?["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any]
            return message?["content"] as? String ?? ""
        }
        #expect(try content(first) == content(again))
        #expect(try content(first) != content(other))
        #expect(try content(first).split(separator: " ").count == 16)
    }

    @Test("max_tokens cuts the reply and says length")
    func maxTokens() {
        let reply = MockReply(promptTexts: ["hello"], replyTokens: 16, maxTokens: 4)
        #expect(reply.words.count == 4)
        #expect(reply.finishReason == "length")
        #expect(reply.usage.completionTokens == 4)
    }

    @Test("an error rate of 1 always fails with the configured status")
    func injectedErrors() async throws {
        var config = ProviderConfig(type: .mock)
        config.mock.errorRate = 1
        config.mock.errorStatus = 429
        let provider = MockProvider(name: "mock", config: config)
        let error = await #expect(throws: GatewayError.self) {
            _ = try await provider.chatCompletion(request(#"{"model":"m","messages":[{"role":"user","content":"a"}]}"#), model: "m")
        }
        #expect(error?.status == 429)
        #expect(error?.retryAfter == "1")
    }

    @Test("the stream ends with usage when asked, then [DONE]")
    func streamShape() async throws {
        let provider = MockProvider(name: "mock", config: ConfigLoader.embeddedDefault().providers["mock"]!)
        let json = #"{"model":"m","stream":true,"stream_options":{"include_usage":true},"max_tokens":2,"messages":[{"role":"user","content":"a"}]}"#
        var events: [String] = []
        for try await event in try await provider.chatCompletionStream(request(json), model: "m").events {
            events.append(String(buffer: event))
        }
        #expect(events.count == 5)
        #expect(events[2].contains(#""finish_reason":"length""#))
        #expect(events[3].contains(#""usage""#))
        #expect(events[4] == "data: [DONE]\n\n")
    }
}
