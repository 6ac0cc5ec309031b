import NIOCore

/// OpenAI answers rendered in Anthropic's format for `/v1/messages` clients: the whole message, and errors.
enum MessagesResponseMapping {
    static func stopReason(_ finishReason: String?) -> String {
        switch finishReason {
        case "length": "max_tokens"
        case "tool_calls", "function_call": "tool_use"
        default: "end_turn"
        }
    }

    /// A `chat.completion` as an Anthropic `message`. Adapters produced the completion, so one that does not
    /// read as a `chat.completion` is the upstream's malformed answer.
    static func message(from completion: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        let completion = try WireJSON.decode(OpenAIChatWire.Completion.self, from: completion, expected: "a chat.completion")
        let choice = completion.choices.first
        var content: [AnthropicWire.Block] = []
        if let text = choice?.message.content, !text.isEmpty { content.append(.text(text)) }
        for call in choice?.message.toolCalls ?? [] {
            content.append(.toolUse(id: call.id, name: call.function.name, input: .toolArguments(call.function.arguments)))
        }
        let message = AnthropicWire.Message(
            id: completion.id ?? "msg_gateway",
            model: completion.model ?? "",
            content: content,
            stopReason: stopReason(choice?.finishReason),
            usage: AnthropicWire.Usage(completion.usage ?? TokenUsage(promptTokens: 0, completionTokens: 0))
        )
        return WireJSON.encode(message)
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
    static func error(_ error: GatewayError, requestID: String? = nil, provider: String? = nil) -> ByteBuffer {
        WireJSON.encode(errorBody(error, requestID: requestID, provider: provider))
    }

    static func errorBody(_ error: GatewayError, requestID: String? = nil, provider: String? = nil) -> AnthropicWire.StreamEvent {
        let message = OpenAIErrorBody.message(error, requestID: requestID, provider: provider)
        return AnthropicWire.StreamEvent(type: "error", error: .init(type: errorType(error), message: message))
    }
}

extension AnthropicWire.Usage {
    /// OpenAI's counts as Anthropic reports them: `input_tokens` without the tokens read from the prompt cache,
    /// which `cache_read_input_tokens` gives when there are any.
    init(_ usage: TokenUsage) {
        self.init(
            inputTokens: usage.promptTokens - usage.cacheReadTokens,
            outputTokens: usage.completionTokens,
            cacheReadInputTokens: usage.cacheReadTokens > 0 ? usage.cacheReadTokens : nil
        )
    }
}
