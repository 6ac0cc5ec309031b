import NIOCore

/// OpenAI chat answers rendered as Responses API `response` objects for `/v1/responses` clients. The response's
/// id is the request's (``ResponsesEcho/id``), its message item's `msg_` and the same suffix; a function call
/// `call_1` is item `fc_call_1`.
enum ResponsesResponseMapping {
    /// A `chat.completion` as a `response`, stored when the request asked for it. Adapters produced the
    /// completion, so one that does not read as a `chat.completion` is the upstream's malformed answer.
    static func response(from completion: ByteBuffer, echo: ResponsesEcho) async throws(GatewayError) -> ByteBuffer {
        let completion = try WireJSON.decode(OpenAIChatWire.Completion.self, from: completion, expected: "a chat.completion")
        let choice = completion.choices.first
        var output: [ResponsesWire.OutputItem] = []
        if let text = choice?.message.content, !text.isEmpty { output.append(.message(id: "msg_" + echo.idSuffix, text: text)) }
        for call in choice?.message.toolCalls ?? [] {
            output.append(.functionCall(callID: call.id, name: call.function.name, arguments: call.function.arguments))
        }
        let response = ResponsesWire.Response(
            id: echo.id,
            createdAt: completion.created ?? Int(BudgetEnforcer.unixSeconds()),
            model: completion.model,
            output: output,
            finishReason: choice?.finishReason,
            usage: completion.usage,
            echo: echo
        )
        let rendered = WireJSON.encode(response)
        await echo.remember(response, rendered: String(buffer: rendered))
        return rendered
    }

    /// The assistant's turn of `output` as a chat message (its text and function calls), for the stored
    /// conversation; nil when it said nothing.
    static func assistantTurn(_ output: [ResponsesWire.OutputItem]) -> ChatRequestWire.Message? {
        let text = output.filter { $0.type == "message" }.flatMap { $0.content ?? [] }.map(\.text).joined()
        let calls = output.filter { $0.type == "function_call" }.map { item in
            ChatRequestWire.ToolCall(id: item.callID, type: "function", function: .init(name: item.name, arguments: item.arguments))
        }
        guard !text.isEmpty || !calls.isEmpty else { return nil }
        return ChatRequestWire.Message(role: "assistant", content: text.isEmpty ? nil : .text(text), toolCalls: calls.isEmpty ? nil : calls)
    }
}
