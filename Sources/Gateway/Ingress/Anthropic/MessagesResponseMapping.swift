import Foundation
import NIOCore
import NIOFoundationCompat

/// OpenAI answers rendered in Anthropic's format for `/v1/messages` clients: the whole message, and errors.
enum MessagesResponseMapping {
    static func stopReason(_ finishReason: String?) -> String {
        switch finishReason {
        case "length": "max_tokens"
        case "tool_calls", "function_call": "tool_use"
        default: "end_turn"
        }
    }

    /// A `chat.completion` as an Anthropic `message`.
    static func message(from completion: ByteBuffer) -> ByteBuffer {
        let object = (try? JSONSerialization.jsonObject(with: Data(completion.readableBytesView)) as? [String: Any]) ?? [:]
        let choice = (object["choices"] as? [[String: Any]])?.first ?? [:]
        let message = choice["message"] as? [String: Any] ?? [:]
        var content: [[String: Any]] = []
        if let text = message["content"] as? String, !text.isEmpty { content.append(["type": "text", "text": text]) }
        for call in message["tool_calls"] as? [[String: Any]] ?? [] {
            let function = call["function"] as? [String: Any] ?? [:]
            let input = (function["arguments"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? [String: Any]()
            content.append(["type": "tool_use", "id": call["id"] ?? "", "name": function["name"] ?? "", "input": input])
        }
        let usage = object["usage"] as? [String: Any] ?? [:]
        let body: [String: Any] = [
            "id": object["id"] ?? "msg_gateway", "type": "message", "role": "assistant", "model": object["model"] ?? "",
            "content": content, "stop_reason": stopReason(choice["finish_reason"] as? String), "stop_sequence": NSNull(),
            "usage": ["input_tokens": usage["prompt_tokens"] ?? 0, "output_tokens": usage["completion_tokens"] ?? 0],
        ]
        return ByteBuffer(data: (try? JSONSerialization.data(withJSONObject: body)) ?? Data("{}".utf8))
    }

    /// Anthropic's error type for a status.
    static func errorType(_ error: GatewayError) -> String {
        switch error.status {
        case 400, 413: "invalid_request_error"
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 429: "rate_limit_error"
        case 529: "overloaded_error"
        default: "api_error"
        }
    }

    /// `{"type":"error","error":{"type","message"}}`.
    static func error(_ error: GatewayError) -> ByteBuffer {
        let body: [String: Any] = ["type": "error", "error": ["type": errorType(error), "message": error.message]]
        return ByteBuffer(data: (try? JSONSerialization.data(withJSONObject: body)) ?? Data("{}".utf8))
    }
}
