import Foundation
import NIOCore
import Testing

@testable import Gateway

@Suite("Responses API ingress (/v1/responses)")
struct ResponsesIngressTests {
    /// OpenAI chunks: text, then a tool call in two pieces, the finish reason, usage and [DONE].
    static let openAIStream = [
        // Later chunks carry only what the encoder reads (fewer bytes, fewer splits to try).
        #"{"id":"chatcmpl-7","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        #"{"choices":[{"delta":{"content":"Let me "}}]}"#,
        #"{"choices":[{"delta":{"content":"look."}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":"}}]}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"x\"}"}}]}}]}"#,
        #"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#,
        #"{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":2}}}"#,
        "[DONE]",
    ].map { "data: \($0)\n\n" }.joined()

    static let echo = ResponsesEcho(model: "m", instructions: "be brief", metadata: ["team": "a"])

    /// The events as (name, payload), checking that each event's name is its payload's type.
    static func events(_ text: String) -> [(String, [String: Any])] {
        text.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: ") }.map { block in
            let lines = block.split(separator: "\n")
            let payload = (try? JSONSerialization.jsonObject(with: Data(lines[1].dropFirst(6).utf8)) as? [String: Any]) ?? [:]
            return (String(lines[0].dropFirst(7)), payload)
        }
    }

    /// The events with their payloads' keys sorted (JSON objects have no order to compare).
    static func normalized(_ text: String) -> [String] {
        events(text).map { name, payload in
            let data = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data()
            return name + " " + String(decoding: data, as: UTF8.self)
        }
    }

    @Test("an OpenAI stream becomes the Responses API's typed events in their order, wherever the bytes split")
    func streamEncoding() throws {
        var whole = ResponsesStreamEncoder(echo: Self.echo)
        let text = String(buffer: try whole.translate(ByteBuffer(string: Self.openAIStream)))
        let events = Self.events(text)
        #expect(
            events.map(\.0) == [
                "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
                "response.completed",
            ]
        )
        #expect(events.allSatisfy { $0.0 == $0.1["type"] as? String })
        #expect(events.enumerated().allSatisfy { $0.offset == $0.element.1["sequence_number"] as? Int })
        let deltas = events.filter { $0.0 == "response.output_text.delta" }.compactMap { $0.1["delta"] as? String }.joined()
        let arguments = events.filter { $0.0 == "response.function_call_arguments.delta" }.compactMap { $0.1["delta"] as? String }.joined()
        #expect(deltas == "Let me look." && arguments == #"{"q":"x"}"#)
        let completed = try #require(events.last?.1["response"] as? [String: Any])
        #expect(completed["id"] as? String == Self.echo.id && completed["status"] as? String == "completed")
        #expect(completed["instructions"] as? String == "be brief" && completed["metadata"] as? [String: String] == ["team": "a"])
        let output = try #require(completed["output"] as? [[String: Any]])
        #expect(output.map { $0["type"] as? String } == ["message", "function_call"])
        #expect(output[1]["call_id"] as? String == "call_1" && output[1]["arguments"] as? String == #"{"q":"x"}"#)
        let usage = try #require(completed["usage"] as? [String: Any])
        #expect(usage["input_tokens"] as? Int == 5 && usage["output_tokens"] as? Int == 9 && usage["total_tokens"] as? Int == 14)
        #expect((usage["input_tokens_details"] as? [String: Int])?["cached_tokens"] == 2)

        let bytes = Array(Self.openAIStream.utf8)
        for split in 1..<bytes.count {
            var encoder = ResponsesStreamEncoder(echo: Self.echo)
            var out = try encoder.translate(ByteBuffer(bytes: bytes[..<split]))
            var rest = try encoder.translate(ByteBuffer(bytes: bytes[split...]))
            out.writeBuffer(&rest)
            // Every split is checked by its event names and sizes; every 16th by the whole content (JSON
            // parsing is what a debug build spends its time on here).
            let got = String(buffer: out)
            let names = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("event: ") } }
            #expect(names(got) == names(text) && got.utf8.count == text.utf8.count, "split at \(split)")
            if split % 16 == 0 { #expect(Self.normalized(got) == Self.normalized(text), "split at \(split)") }
        }
    }

    @Test("a failure after the start is response.failed, with the error and the response so far")
    func failure() throws {
        var encoder = ResponsesStreamEncoder(echo: Self.echo)
        _ = try encoder.translate(
            ByteBuffer(string: "data: " + #"{"id":"chatcmpl-7","model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]}"# + "\n\n")
        )
        let events = Self.events(String(buffer: encoder.error(.upstreamTimeout, requestID: "req-1", provider: "p")))
        #expect(events.map(\.0) == ["response.failed"])
        let response = try #require(events.first?.1["response"] as? [String: Any])
        #expect(response["status"] as? String == "failed")
        #expect((response["error"] as? [String: String])?["code"] == "upstream_timeout")
        #expect(events.first?.1["sequence_number"] as? Int == 5, "numbered after the five events before it")
    }

    static func chat(_ json: String) throws -> [String: Any] {
        let (body, _) = try ResponsesRequestMapping.chatBody(from: ByteBuffer(string: json))
        return try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any])
    }

    @Test("Responses requests become chat bodies: instructions, items, a function-call round trip, tools, choice, format")
    func requestMapping() throws {
        let body = try Self.chat(
            #"{"model":"m","instructions":"be brief","max_output_tokens":64,"stream":true,"#
                + #""input":[{"role":"developer","content":"rules"},{"type":"message","role":"user","content":[{"type":"input_text","text":"weather?"},"#
                + #"{"type":"input_image","image_url":"https://x/y.png"}]},{"type":"reasoning","summary":[]},"#
                + #"{"type":"function_call","call_id":"c1","name":"get","arguments":"{}"},{"type":"function_call","call_id":"c2","name":"get","arguments":"{\"a\":1}"},"#
                + #"{"type":"function_call_output","call_id":"c1","output":"sunny"},{"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"rain"}]}],"#
                + #""tools":[{"type":"function","name":"get","parameters":{"type":"object"}}],"tool_choice":{"type":"function","name":"get"},"#
                + #""text":{"format":{"type":"json_schema","name":"w","schema":{"type":"object"},"strict":true}}}"#
        )
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["system", "system", "user", "assistant", "tool", "tool"])
        #expect(messages[0]["content"] as? String == "be brief" && messages[1]["content"] as? String == "rules")
        #expect((messages[2]["content"] as? [[String: Any]])?.count == 2)
        let calls = try #require(messages[3]["tool_calls"] as? [[String: Any]])
        #expect(calls.map { $0["id"] as? String } == ["c1", "c2"], "consecutive calls share one assistant message")
        #expect(messages[4]["tool_call_id"] as? String == "c1" && messages[5]["content"] as? String == "rain")
        #expect(body["max_tokens"] as? Int == 64 && body["stream"] as? Bool == true)
        #expect((body["stream_options"] as? [String: Bool])?["include_usage"] == true)
        #expect(((body["tool_choice"] as? [String: Any])?["function"] as? [String: String])?["name"] == "get")
        let format = try #require(body["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema" && (format["json_schema"] as? [String: Any])?["name"] as? String == "w")
        #expect(try Self.chat(#"{"model":"m","input":"hi"}"#)["messages"] as? [[String: String]] == [["role": "user", "content": "hi"]])
    }

    @Test(
        "what the gateway cannot serve is a 400 naming it",
        arguments: [
            (#"{"model":"m","input":"x","tools":[{"type":"web_search"}]}"#, "tools[0].type"),
            (#"{"model":"m","input":[{"type":"item_reference","id":"x"}]}"#, "input[0].type"),
            (#"{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}"#, "input[0].content[0].type"),
            (#"{"model":"m","input":"x","tool_choice":{"type":"file_search"}}"#, "tool_choice"),
            (#"{"model":"m"}"#, "input"),
            (#"{"input":"x"}"#, "model"),
            (#"{"model":"m","input":"x","temperature":3}"#, "temperature"),
        ]
    )
    func refusals(_ json: String, _ param: String) {
        do throws(GatewayError) {
            _ = try ResponsesRequestMapping.chatBody(from: ByteBuffer(string: json))
            Issue.record("\(json) was accepted")
        } catch {
            #expect(error.status == 400 && error.param == param, "\(json)")
        }
    }
}
