import Foundation
import NIOCore
import Testing

@testable import Gateway

@Suite("Anthropic ingress (/v1/messages)")
struct MessagesIngressTests {
    /// OpenAI chunks with text, a tool call in two pieces, the finish reason, usage and [DONE].
    static let openAIStream = [
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":"}}]},"finish_reason":null}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"x\"}"}}]},"finish_reason":null}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9,"total_tokens":14}}"#,
        "[DONE]",
    ].map { "data: \($0)\n\n" }.joined()

    /// The event names and what an Anthropic client would assemble from them.
    static func assemble(_ text: String) -> (events: [String], text: String, json: String, stop: String?, output: Int?) {
        var events: [String] = []
        var assembled = ""
        var json = ""
        var stop: String?
        var output: Int?
        for block in text.components(separatedBy: "\n\n") where block.hasPrefix("event: ") {
            let lines = block.split(separator: "\n")
            events.append(String(lines[0].dropFirst(7)))
            let payload = (try? JSONSerialization.jsonObject(with: Data(lines[1].dropFirst(6).utf8)) as? [String: Any]) ?? [:]
            let delta = payload["delta"] as? [String: Any] ?? [:]
            assembled += delta["text"] as? String ?? ""
            json += delta["partial_json"] as? String ?? ""
            stop = delta["stop_reason"] as? String ?? stop
            output = (payload["usage"] as? [String: Any])?["output_tokens"] as? Int ?? output
        }
        return (events, assembled, json, stop, output)
    }

    @Test("an OpenAI stream becomes Anthropic's event sequence, wherever the bytes split")
    func streamEncoding() throws {
        var whole = MessagesStreamEncoder()
        let expected = Self.assemble(String(buffer: try whole.translate(ByteBuffer(string: Self.openAIStream))))
        #expect(
            expected.events == [
                "message_start", "content_block_start", "content_block_delta", "content_block_stop", "content_block_start",
                "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
            ]
        )
        #expect(expected.text == "Hi" && expected.json == #"{"q":"x"}"# && expected.stop == "tool_use" && expected.output == 9)
        let bytes = Array(Self.openAIStream.utf8)
        for split in 1..<bytes.count {
            var encoder = MessagesStreamEncoder()
            var out = try encoder.translate(ByteBuffer(bytes: bytes[..<split]))
            var rest = try encoder.translate(ByteBuffer(bytes: bytes[split...]))
            out.writeBuffer(&rest)
            let got = Self.assemble(String(buffer: out))
            #expect(got.events == expected.events && got.text == expected.text && got.json == expected.json, "split at \(split)")
        }
    }

    @Test("usage reaches Anthropic clients in Anthropic's terms: input_tokens without the cache's reads, which are apart")
    func usageTerms() throws {
        let usage = #"{"prompt_tokens":10,"completion_tokens":6,"total_tokens":16,"prompt_tokens_details":{"cached_tokens":4}}"#
        let stream = [
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}"#,
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[],"usage":"# + usage + "}", "[DONE]",
        ].map { "data: \($0)\n\n" }.joined()
        var encoder = MessagesStreamEncoder()
        let events = String(buffer: try encoder.translate(ByteBuffer(string: stream))).components(separatedBy: "\n\n")
        let delta = try #require(events.first { $0.hasPrefix("event: message_delta") })
        let payload = try JSONSerialization.jsonObject(with: Data(delta.split(separator: "\n")[1].dropFirst(6).utf8)) as? [String: Any]
        let streamed = try #require(payload?["usage"] as? [String: Int])
        #expect(streamed == ["input_tokens": 6, "cache_read_input_tokens": 4, "output_tokens": 6])

        let completion =
            #"{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"#
            + #""finish_reason":"stop"}],"usage":"# + usage + "}"
        let message = try MessagesResponseMapping.message(from: ByteBuffer(string: completion))
        let whole = try JSONSerialization.jsonObject(with: Data(String(buffer: message).utf8)) as? [String: Any]
        #expect(whole?["usage"] as? [String: Int] == ["input_tokens": 6, "cache_read_input_tokens": 4, "output_tokens": 6])
    }

    @Test("Anthropic requests become OpenAI chat bodies: system, tool use and results, tools, choice, stream usage")
    func requestMapping() throws {
        let anthropic = ByteBuffer(
            string: """
                {"model":"m","max_tokens":100,"system":"Be brief.","stream":true,"stop_sequences":["END"],
                 "tools":[{"name":"lookup","description":"d","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"lookup"},
                 "messages":[{"role":"user","content":"Find x"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"lookup","input":{"q":"x"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"found"}]}]}
                """
        )
        let body = try MessagesRequestMapping.openAIBody(from: anthropic)
        let request = try ChatCompletionRequest(body: body)
        #expect(request.stream && request.includeUsage && request.maxTokens == 100)
        #expect(request.messages.map(\.role) == ["system", "user", "assistant", "tool"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
        #expect(object["stop"] as? [String] == ["END"])
        #expect(((object["tool_choice"] as? [String: Any])?["function"] as? [String: String]) == ["name": "lookup"])
        let call = try #require(
            ((object["messages"] as? [[String: Any]])?[2]["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: String]
        )
        #expect(call == ["name": "lookup", "arguments": #"{"q":"x"}"#])
        #expect(throws: GatewayError.self) { try MessagesRequestMapping.openAIBody(from: ByteBuffer(string: #"{"model":"m","messages":[]}"#)) }
    }
}
