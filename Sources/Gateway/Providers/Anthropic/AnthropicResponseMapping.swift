import Foundation
import NIOCore
import NIOFoundationCompat

/// Maps Anthropic Messages answers onto OpenAI's `chat.completion`: text blocks into `content`, `tool_use`
/// blocks into `tool_calls`, `stop_reason` into `finish_reason`, token usage into `usage`. Error bodies
/// (`{"type":"error","error":{"type","message"}}`) keep their status; 529 `overloaded_error` is retryable.
enum AnthropicResponseMapping {
    static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case nil: nil
        case "max_tokens": "length"
        case "tool_use": "tool_calls"
        default: "stop"
        }
    }

    /// A JSON value as compact JSON text (tool inputs become OpenAI's `arguments` strings).
    static func jsonText(_ value: Any?) -> String {
        guard let value, JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func reply(from response: UpstreamResponse, requestedModel: String) async throws(GatewayError) -> ProviderReply {
        let body = try await OpenAIResponseMapping.collect(response.body)
        guard (200..<300).contains(response.status) else {
            throw OpenAIResponseMapping.error(status: response.status, body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        guard let message = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let id = message["id"] as? String, let blocks = message["content"] as? [[String: Any]]
        else {
            throw GatewayError.invalidUpstreamResponse("expected an Anthropic message")
        }
        let text = blocks.compactMap { $0["type"] as? String == "text" ? $0["text"] as? String : nil }.joined()
        let calls = blocks.filter { $0["type"] as? String == "tool_use" }.map { block in
            OpenAIChat.ToolCall(id: block["id"] as? String ?? "", name: block["name"] as? String ?? "", arguments: jsonText(block["input"]))
        }
        let counts = message["usage"] as? [String: Any] ?? [:]
        let usage = TokenUsage(promptTokens: counts["input_tokens"] as? Int ?? 0, completionTokens: counts["output_tokens"] as? Int ?? 0)
        let finish = finishReason(message["stop_reason"] as? String) ?? "stop"
        let model = message["model"] as? String ?? requestedModel
        return OpenAIChat.reply(id: id, model: model, text: text, toolCalls: calls, finishReason: finish, usage: usage)
    }
}
