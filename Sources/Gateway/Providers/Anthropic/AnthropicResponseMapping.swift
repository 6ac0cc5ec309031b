import NIOCore

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

    static func reply(from response: UpstreamResponse, requestedModel: String) async throws(GatewayError) -> ProviderReply {
        let body = try await response.successBody()
        let message = try WireJSON.decode(AnthropicWire.Message.self, from: body, expected: "an Anthropic message")
        let text = message.content.filter { $0.type == "text" }.compactMap(\.text).joined()
        let calls = message.content.filter { $0.type == "tool_use" }.map { block in
            OpenAIChat.ToolCall(id: block.id ?? "", name: block.name ?? "", arguments: (block.input ?? .object([:])).jsonText)
        }
        let usage = (message.usage ?? AnthropicWire.Usage()).tokenUsage
        let finish = finishReason(message.stopReason) ?? "stop"
        return OpenAIChat.reply(
            id: message.id,
            model: message.model ?? requestedModel,
            text: text,
            toolCalls: calls,
            finishReason: finish,
            usage: usage
        )
    }
}
