import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore

@testable import Gateway

/// What the cross-provider suite asks every provider's mock for; the mock finds the name in the request
/// (it survives every translation as prompt text).
enum Scenario: String, CaseIterable, Sendable, CustomStringConvertible {
    case plain, toolCall, lengthStop, rateLimited, serverError, truncated
    var description: String { rawValue }
}

/// A provider's wire format, enough to answer every ``Scenario`` the way that provider really would.
protocol ProviderWireMock: Sendable {
    var type: ProviderType { get }
    /// A successful answer: text or one tool call, a finish reason, and usage (3 in, 2 out).
    func whole(text: String?, tool: (name: String, arguments: String)?, finish: String) -> ByteBuffer
    /// The same answer as the provider's stream events, in order.
    func stream(text: String?, tool: (name: String, arguments: String)?, finish: String) -> [ByteBuffer]
    /// The provider's error body for a status.
    func error(status: Int) -> ByteBuffer
}

extension ProviderWireMock {
    /// Starts an upstream that answers each request in this wire format according to its scenario.
    func start() async throws -> TestUpstream {
        try await TestUpstream.start { request, body, writer in
            let text = String(buffer: body)
            let path = request.uri.description
            let streamed = text.contains(#""stream":true"#) || path.contains("alt=sse") || path.contains("converse-stream")
            let scenario = Scenario.allCases.first { text.contains("scenario:\($0.rawValue)") } ?? .plain
            try await answer(scenario, streamed: streamed, writer: writer)
        }
    }

    private func answer(_ scenario: Scenario, streamed: Bool, writer: consuming ResponseWriter) async throws {
        let tool = scenario == .toolCall ? (name: "get_weather", arguments: #"{"city":"Paris"}"#) : nil
        let text: String? = scenario == .toolCall ? nil : scenario == .lengthStop ? "po" : "pong"
        let finish = scenario == .toolCall ? "tool_calls" : scenario == .lengthStop ? "length" : "stop"
        switch scenario {
        case .rateLimited, .serverError:
            let status = scenario == .rateLimited ? 429 : 500
            var headers: HTTPFields = [.contentType: "application/json"]
            if status == 429 { headers[HTTPField.Name("retry-after")!] = "1" }
            try await writer.write(
                response: HTTPResponse(status: .init(code: status), headerFields: headers),
                body: .init(byteBuffer: error(status: status))
            )
        case .truncated where streamed:
            let events = stream(text: text, tool: tool, finish: finish)
            var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
            try await body.write(events[0])
            try await body.write(events[1])
            try await Task.sleep(for: .milliseconds(5))
            try await TestUpstream.cutConnection()
        case .truncated:
            let whole = whole(text: text, tool: tool, finish: finish)
            let headers: HTTPFields = [.contentType: "application/json", .contentLength: String(whole.readableBytes)]
            var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: headers))
            try await body.write(whole.getSlice(at: 0, length: whole.readableBytes / 2)!)
            try await Task.sleep(for: .milliseconds(5))
            try await TestUpstream.cutConnection()
        default:
            if streamed {
                var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
                for event in stream(text: text, tool: tool, finish: finish) { try await body.write(event) }
                try await body.finish(nil)
            } else {
                try await OpenAIWire.json(whole(text: text, tool: tool, finish: finish), to: writer)
            }
        }
    }
}

func jsonBuffer(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object))
}

func sse(_ object: [String: Any], event: String? = nil) -> ByteBuffer {
    var buffer = ByteBuffer(string: event.map { "event: \($0)\n" } ?? "")
    buffer.writeString("data: ")
    var body = jsonBuffer(object)
    buffer.writeBuffer(&body)
    buffer.writeString("\n\n")
    return buffer
}

struct OpenAIWireMock: ProviderWireMock {
    let type = ProviderType.openai

    func whole(text: String?, tool: (name: String, arguments: String)?, finish: String) -> ByteBuffer {
        var message: [String: Any] = ["role": "assistant", "content": text ?? NSNull()]
        if let tool { message["tool_calls"] = [["id": "call_1", "type": "function", "function": ["name": tool.name, "arguments": tool.arguments]]] }
        return jsonBuffer([
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [["index": 0, "message": message, "finish_reason": finish]],
            "usage": ["prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5],
        ])
    }

    func stream(text: String?, tool: (name: String, arguments: String)?, finish: String) -> [ByteBuffer] {
        func chunk(_ delta: [String: Any], _ finish: Any = NSNull()) -> ByteBuffer {
            sse([
                "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                "choices": [["index": 0, "delta": delta, "finish_reason": finish]],
            ])
        }
        var events = [chunk(["role": "assistant", "content": ""])]
        if let text { events += [chunk(["content": String(text.prefix(1))]), chunk(["content": String(text.dropFirst())])] }
        if let tool {
            let half = tool.arguments.index(tool.arguments.startIndex, offsetBy: tool.arguments.count / 2)
            events.append(
                chunk([
                    "tool_calls": [
                        [
                            "index": 0, "id": "call_1", "type": "function",
                            "function": ["name": tool.name, "arguments": String(tool.arguments[..<half])],
                        ]
                    ]
                ])
            )
            events.append(chunk(["tool_calls": [["index": 0, "function": ["arguments": String(tool.arguments[half...])]]]]))
        }
        events.append(chunk([:], finish))
        events.append(
            sse([
                "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [],
                "usage": ["prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5],
            ])
        )
        events.append(ByteBuffer(string: "data: [DONE]\n\n"))
        return events
    }

    func error(status: Int) -> ByteBuffer {
        jsonBuffer([
            "error": ["message": "upstream \(status)", "type": status == 429 ? "requests" : "server_error", "param": NSNull(), "code": NSNull()]
        ])
    }
}

struct AnthropicWireMock: ProviderWireMock {
    let type = ProviderType.anthropic

    func stopReason(_ finish: String) -> String { finish == "tool_calls" ? "tool_use" : finish == "length" ? "max_tokens" : "end_turn" }

    func whole(text: String?, tool: (name: String, arguments: String)?, finish: String) -> ByteBuffer {
        var content: [[String: Any]] = []
        if let text { content.append(["type": "text", "text": text]) }
        if let tool {
            let input = try! JSONSerialization.jsonObject(with: Data(tool.arguments.utf8))
            content.append(["type": "tool_use", "id": "toolu_1", "name": tool.name, "input": input])
        }
        return jsonBuffer([
            "id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": content, "stop_reason": stopReason(finish),
            "stop_sequence": NSNull(), "usage": ["input_tokens": 3, "output_tokens": 2],
        ])
    }

    func stream(text: String?, tool: (name: String, arguments: String)?, finish: String) -> [ByteBuffer] {
        var events = [
            sse(
                [
                    "type": "message_start",
                    "message": [
                        "id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
                        "usage": ["input_tokens": 3, "output_tokens": 1],
                    ],
                ],
                event: "message_start"
            ),
            sse(["type": "ping"], event: "ping"),
        ]
        if let text {
            events.append(
                sse(["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]], event: "content_block_start")
            )
            for piece in [String(text.prefix(1)), String(text.dropFirst())] {
                events.append(
                    sse(["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": piece]], event: "content_block_delta")
                )
            }
            events.append(sse(["type": "content_block_stop", "index": 0], event: "content_block_stop"))
        }
        if let tool {
            events.append(
                sse(
                    [
                        "type": "content_block_start", "index": 0,
                        "content_block": ["type": "tool_use", "id": "toolu_1", "name": tool.name, "input": [:]],
                    ],
                    event: "content_block_start"
                )
            )
            let half = tool.arguments.index(tool.arguments.startIndex, offsetBy: tool.arguments.count / 2)
            for piece in [String(tool.arguments[..<half]), String(tool.arguments[half...])] {
                events.append(
                    sse(
                        ["type": "content_block_delta", "index": 0, "delta": ["type": "input_json_delta", "partial_json": piece]],
                        event: "content_block_delta"
                    )
                )
            }
            events.append(sse(["type": "content_block_stop", "index": 0], event: "content_block_stop"))
        }
        events.append(
            sse(
                ["type": "message_delta", "delta": ["stop_reason": stopReason(finish), "stop_sequence": NSNull()], "usage": ["output_tokens": 2]],
                event: "message_delta"
            )
        )
        events.append(sse(["type": "message_stop"], event: "message_stop"))
        return events
    }

    func error(status: Int) -> ByteBuffer {
        jsonBuffer(["type": "error", "error": ["type": status == 429 ? "rate_limit_error" : "api_error", "message": "upstream \(status)"]])
    }
}

struct GeminiWireMock: ProviderWireMock {
    let type = ProviderType.gemini

    func response(parts: [[String: Any]], finish: String?, usage: Bool) -> [String: Any] {
        var candidate: [String: Any] = ["content": ["role": "model", "parts": parts], "index": 0]
        if let finish { candidate["finishReason"] = finish == "length" ? "MAX_TOKENS" : "STOP" }
        var object: [String: Any] = ["candidates": [candidate], "modelVersion": "m", "responseId": "r1"]
        if usage { object["usageMetadata"] = ["promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5] }
        return object
    }

    func parts(text: String?, tool: (name: String, arguments: String)?) -> [[String: Any]] {
        if let tool { return [["functionCall": ["name": tool.name, "args": try! JSONSerialization.jsonObject(with: Data(tool.arguments.utf8))]]] }
        return [["text": text ?? ""]]
    }

    func whole(text: String?, tool: (name: String, arguments: String)?, finish: String) -> ByteBuffer {
        jsonBuffer(response(parts: parts(text: text, tool: tool), finish: finish, usage: true))
    }

    func stream(text: String?, tool: (name: String, arguments: String)?, finish: String) -> [ByteBuffer] {
        if let text {
            return [
                sse(response(parts: [["text": String(text.prefix(1))]], finish: nil, usage: false)),
                sse(response(parts: [["text": String(text.dropFirst())]], finish: finish, usage: true)),
            ]
        }
        return [sse(response(parts: [], finish: nil, usage: false)), sse(response(parts: parts(text: nil, tool: tool), finish: finish, usage: true))]
    }

    func error(status: Int) -> ByteBuffer {
        jsonBuffer(["error": ["code": status, "message": "upstream \(status)", "status": status == 429 ? "RESOURCE_EXHAUSTED" : "INTERNAL"]])
    }
}

/// Frames AWS event-stream messages (string headers, payload, both CRCs), as Bedrock sends them.
enum EventStreamWire {
    static func frame(headers: [String: String], payload: [UInt8]) -> ByteBuffer {
        var headerBytes: [UInt8] = []
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            headerBytes.append(UInt8(name.utf8.count))
            headerBytes += Array(name.utf8)
            headerBytes.append(7)
            headerBytes += [UInt8(value.utf8.count >> 8), UInt8(value.utf8.count & 0xFF)]
            headerBytes += Array(value.utf8)
        }
        let total = 16 + headerBytes.count + payload.count
        func bigEndian(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        var bytes = bigEndian(UInt32(total)) + bigEndian(UInt32(headerBytes.count))
        bytes += bigEndian(EventStreamDecoder.crc(bytes))
        bytes += headerBytes + payload
        bytes += bigEndian(EventStreamDecoder.crc(bytes))
        return ByteBuffer(bytes: bytes)
    }

    static func event(_ type: String, _ payload: [String: Any]) -> ByteBuffer {
        frame(
            headers: [":event-type": type, ":message-type": "event", ":content-type": "application/json"],
            payload: Array(try! JSONSerialization.data(withJSONObject: payload))
        )
    }
}

struct BedrockWireMock: ProviderWireMock {
    let type = ProviderType.bedrock

    func stopReason(_ finish: String) -> String { finish == "tool_calls" ? "tool_use" : finish == "length" ? "max_tokens" : "end_turn" }

    func whole(text: String?, tool: (name: String, arguments: String)?, finish: String) -> ByteBuffer {
        var content: [[String: Any]] = []
        if let text { content.append(["text": text]) }
        if let tool {
            let input = try! JSONSerialization.jsonObject(with: Data(tool.arguments.utf8))
            content.append(["toolUse": ["toolUseId": "tooluse_1", "name": tool.name, "input": input]])
        }
        return jsonBuffer([
            "output": ["message": ["role": "assistant", "content": content]], "stopReason": stopReason(finish),
            "usage": ["inputTokens": 3, "outputTokens": 2, "totalTokens": 5], "metrics": ["latencyMs": 10],
        ])
    }

    func stream(text: String?, tool: (name: String, arguments: String)?, finish: String) -> [ByteBuffer] {
        var events = [EventStreamWire.event("messageStart", ["role": "assistant"])]
        if let text {
            for piece in [String(text.prefix(1)), String(text.dropFirst())] {
                events.append(EventStreamWire.event("contentBlockDelta", ["contentBlockIndex": 0, "delta": ["text": piece]]))
            }
            events.append(EventStreamWire.event("contentBlockStop", ["contentBlockIndex": 0]))
        }
        if let tool {
            events.append(
                EventStreamWire.event(
                    "contentBlockStart",
                    ["contentBlockIndex": 0, "start": ["toolUse": ["toolUseId": "tooluse_1", "name": tool.name]]]
                )
            )
            let half = tool.arguments.index(tool.arguments.startIndex, offsetBy: tool.arguments.count / 2)
            for piece in [String(tool.arguments[..<half]), String(tool.arguments[half...])] {
                events.append(EventStreamWire.event("contentBlockDelta", ["contentBlockIndex": 0, "delta": ["toolUse": ["input": piece]]]))
            }
            events.append(EventStreamWire.event("contentBlockStop", ["contentBlockIndex": 0]))
        }
        events.append(EventStreamWire.event("messageStop", ["stopReason": stopReason(finish)]))
        events.append(
            EventStreamWire.event("metadata", ["usage": ["inputTokens": 3, "outputTokens": 2, "totalTokens": 5], "metrics": ["latencyMs": 10]])
        )
        return events
    }

    func error(status: Int) -> ByteBuffer {
        jsonBuffer(["message": "upstream \(status)"])
    }
}
