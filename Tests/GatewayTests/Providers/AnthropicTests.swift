import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Testing

@testable import Gateway

/// A stream in Anthropic's documented event format: text, then a tool call whose input arrives in pieces.
enum AnthropicRecording {
    static let stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-test","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"Paris\\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    static let message =
        #"{"id":"msg_2","type":"message","role":"assistant","model":"claude-test","content":[{"type":"text","text":"Hi!"},{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Oslo"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":7}}"#
}

/// What a client assembles from OpenAI chunks.
struct AssembledStream: Equatable {
    var content = ""
    var toolName = ""
    var toolArguments = ""
    var finishReason: String?
    var usage: [String: Int]?
    var endsWithDone = false

    init(_ text: String) {
        let events = text.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
        endsWithDone = events.last == "[DONE]"
        for event in events where event != "[DONE]" {
            guard let object = try? JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] else { continue }
            if let usage = object["usage"] as? [String: Int] { self.usage = usage }
            for choice in object["choices"] as? [[String: Any]] ?? [] {
                if let reason = choice["finish_reason"] as? String { finishReason = reason }
                let delta = choice["delta"] as? [String: Any] ?? [:]
                content += delta["content"] as? String ?? ""
                for call in delta["tool_calls"] as? [[String: Any]] ?? [] {
                    let function = call["function"] as? [String: Any] ?? [:]
                    toolName += function["name"] as? String ?? ""
                    toolArguments += function["arguments"] as? String ?? ""
                }
            }
        }
    }
}

@Suite("Anthropic")
struct AnthropicTests {
    @Test("the stream decodes the same wherever the bytes split")
    func everySplit() throws {
        var whole = AnthropicStreamDecoder(includeUsage: true, model: "m")
        let expected = AssembledStream(String(buffer: try whole.decode(ByteBuffer(string: AnthropicRecording.stream))))
        #expect(expected.content == "Hello there")
        #expect(expected.toolName == "get_weather" && expected.toolArguments == #"{"city": "Paris"}"#)
        #expect(expected.finishReason == "tool_calls")
        #expect(expected.usage == ["prompt_tokens": 25, "completion_tokens": 15, "total_tokens": 40])
        #expect(expected.endsWithDone && whole.isFinished)
        #expect(whole.summary.usage?.totalTokens == 40 && whole.summary.id == "msg_1")
        let bytes = Array(AnthropicRecording.stream.utf8)
        for split in 1..<bytes.count {
            var decoder = AnthropicStreamDecoder(includeUsage: true, model: "m")
            var output = try decoder.decode(ByteBuffer(bytes: bytes[..<split]))
            var rest = try decoder.decode(ByteBuffer(bytes: bytes[split...]))
            output.writeBuffer(&rest)
            #expect(AssembledStream(String(buffer: output)) == expected, "split at \(split)")
        }
    }

    @Test("requests: system lifted, tools, tool choice, tool results, images, stop, max_tokens")
    func requestMapping() throws {
        let openAI = ByteBuffer(
            string: """
                {"model":"claude","temperature":0.2,"stop":"END","tools":[{"type":"function","function":{"name":"get_weather","description":"w","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
                 "tool_choice":"required","messages":[{"role":"system","content":"Be brief."},
                 {"role":"user","content":[{"type":"text","text":"Weather?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"cold"}]}
                """
        )
        let body = try AnthropicRequestMapping.body(from: openAI, model: "claude-3", stream: true)
        let mapped = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
        #expect(mapped["system"] as? String == "Be brief.")
        #expect(mapped["max_tokens"] as? Int == 4096)
        #expect(mapped["stream"] as? Bool == true)
        #expect(mapped["stop_sequences"] as? [String] == ["END"])
        #expect((mapped["tool_choice"] as? [String: String]) == ["type": "any"])
        let tool = try #require((mapped["tools"] as? [[String: Any]])?.first)
        #expect(tool["name"] as? String == "get_weather" && tool["input_schema"] != nil)
        let messages = try #require(mapped["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "user"])
        let image = try #require((messages[0]["content"] as? [[String: Any]])?.last?["source"] as? [String: String])
        #expect(image == ["type": "base64", "media_type": "image/png", "data": "AAAA"])
        let use = try #require((messages[1]["content"] as? [[String: Any]])?.first)
        #expect(use["type"] as? String == "tool_use" && (use["input"] as? [String: String]) == ["city": "Oslo"])
        let result = try #require((messages[2]["content"] as? [[String: Any]])?.first)
        #expect(result["type"] as? String == "tool_result" && result["tool_use_id"] as? String == "call_1")
    }

    @Test("through the gateway: whole and streamed answers in OpenAI's shape, the right headers upstream")
    func endToEnd() async throws {
        let upstream = try await TestUpstream.start { request, body, writer in
            if String(buffer: body).contains(#""stream":true"#) {
                var out = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
                try await out.write(ByteBuffer(string: AnthropicRecording.stream))
                try await out.finish(nil)
            } else {
                try await OpenAIWire.json(ByteBuffer(string: AnthropicRecording.message), to: writer)
            }
        }
        defer { Task { await upstream.stop() } }
        var config = GatewayConfig.withUpstream(upstream.baseURL)
        var anthropic = ProviderConfig(type: .anthropic)
        anthropic.baseURL = upstream.baseURL
        anthropic.apiKey = "sk-ant-test"
        config.providers["anthropic"] = anthropic
        try await GatewayHarness.with(config) { gateway in
            let whole = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "anthropic/claude-test"))
            #expect(whole.status == 200)
            let choice = try #require((whole.json["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "tool_calls")
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["content"] as? String == "Hi!")
            let call = try #require((message["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: String])
            #expect(call == ["name": "get_weather", "arguments": #"{"city":"Oslo"}"#])
            #expect((whole.json["usage"] as? [String: Int])?["total_tokens"] == 19)

            let streamed = try await gateway.post(
                "/v1/chat/completions",
                json: GatewayHarness.chatBody(model: "anthropic/claude-test", stream: true, extra: #","stream_options":{"include_usage":true}"#)
            )
            let assembled = AssembledStream(streamed.body)
            #expect(assembled.content == "Hello there" && assembled.endsWithDone)
            #expect(assembled.usage?["total_tokens"] == 40)
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            #expect(MetricsTests.value(scrape, #"llm_tokens_total{provider="anthropic",model="other",type="output"}"#) == 22)
        }
        let sent = try #require(upstream.received.first)
        #expect(sent.path == "/v1/messages")
        #expect(sent.headers[HTTPField.Name("x-api-key")!] == "sk-ant-test")
        #expect(sent.headers[HTTPField.Name("anthropic-version")!] == "2023-06-01")
    }
}
