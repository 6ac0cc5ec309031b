import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Testing

@testable import Gateway

/// Gemini's documented `alt=sse` stream: text in two events, then a function call with the finish reason and usage.
enum GeminiRecording {
    static let stream = [
        #"{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"}}],"modelVersion":"gemini-test","responseId":"r1"}"#,
        #"{"candidates":[{"content":{"parts":[{"text":" there"}],"role":"model"}}],"modelVersion":"gemini-test","responseId":"r1"}"#,
        #"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Rome"}}}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":6,"totalTokenCount":14},"modelVersion":"gemini-test","responseId":"r1"}"#,
    ].map { "data: \($0)\r\n\r\n" }.joined()

    static let response =
        #"{"candidates":[{"content":{"parts":[{"text":"Ciao"}],"role":"model"},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,"totalTokenCount":6},"modelVersion":"gemini-test","responseId":"r2"}"#
}

@Suite("Gemini")
struct GeminiTests {
    /// Feeds `bytes` to a Gemini stream in the given pieces and returns everything it relays.
    static func relay(_ pieces: [ByteBuffer]) async throws -> String {
        let stream = TranslatedStream(
            base: UpstreamBody(pieces.async),
            decoder: GeminiStreamDecoder(includeUsage: true, model: "m"),
            summary: StreamSummary()
        )
        var text = ""
        for try await event in stream { text += String(buffer: event) }
        return text
    }

    @Test("the stream decodes the same wherever the bytes split; a cut stream fails")
    func everySplit() async throws {
        let expected = AssembledStream(try await Self.relay([ByteBuffer(string: GeminiRecording.stream)]))
        #expect(expected.content == "Hello there")
        #expect(expected.toolName == "get_weather" && expected.toolArguments == #"{"city":"Rome"}"#)
        #expect(expected.finishReason == "tool_calls" && expected.endsWithDone)
        #expect(expected.usage == ["prompt_tokens": 8, "completion_tokens": 6, "total_tokens": 14])
        let bytes = Array(GeminiRecording.stream.utf8)
        for split in 1..<bytes.count {
            let got = AssembledStream(try await Self.relay([ByteBuffer(bytes: bytes[..<split]), ByteBuffer(bytes: bytes[split...])]))
            #expect(got == expected, "split at \(split)")
        }
        let cut = String(GeminiRecording.stream.prefix(200))
        await #expect(throws: GatewayError.self) { _ = try await Self.relay([ByteBuffer(string: cut)]) }
    }

    @Test("through the gateway: translated request, key header, whole answer in OpenAI's shape")
    func endToEnd() async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            try await OpenAIWire.json(ByteBuffer(string: GeminiRecording.response), to: writer)
        }
        defer { Task { await upstream.stop() } }
        var config = GatewayConfig.withUpstream(upstream.baseURL)
        var gemini = ProviderConfig(type: .gemini)
        gemini.baseURL = upstream.baseURL
        gemini.apiKey = "gemini-key"
        config.providers["gemini"] = gemini
        try await GatewayHarness.with(config) { gateway in
            let reply = try await gateway.post(
                "/v1/chat/completions",
                json:
                    #"{"model":"gemini/gemini-test","max_tokens":2,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hi"}]}"#
            )
            #expect(reply.status == 200)
            let choice = try #require((reply.json["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "length")
            #expect((choice["message"] as? [String: Any])?["content"] as? String == "Ciao")
            #expect((reply.json["usage"] as? [String: Int])?["total_tokens"] == 6)
        }
        let sent = try #require(upstream.received.first)
        #expect(sent.path == "/v1beta/models/gemini-test:generateContent")
        #expect(sent.headers[HTTPField.Name("x-goog-api-key")!] == "gemini-key")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(sent.body.readableBytesView)) as? [String: Any])
        #expect(((body["systemInstruction"] as? [String: Any])?["parts"] as? [[String: String]]) == [["text": "Be brief."]])
        #expect(((body["generationConfig"] as? [String: Int])?["maxOutputTokens"]) == 2)
        #expect((body["contents"] as? [[String: Any]])?.first?["role"] as? String == "user")
    }
}
