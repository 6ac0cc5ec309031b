import NIOCore

/// OpenAI chat answers rendered as Responses API `response` objects for `/v1/responses` clients. Ids are
/// derived from the chat answer's (`chatcmpl-abc` → `resp_abc`, `msg_abc`; a call `call_1` → item `fc_call_1`).
enum ResponsesResponseMapping {
    /// A `chat.completion` as a `response`. Adapters produced the completion, so one that does not read as a
    /// `chat.completion` is the upstream's malformed answer.
    static func response(from completion: ByteBuffer, echo: ResponsesEcho) throws(GatewayError) -> ByteBuffer {
        let completion = try WireJSON.decode(OpenAIChatWire.Completion.self, from: completion, expected: "a chat.completion")
        let choice = completion.choices.first
        let ids = Ids(chatID: completion.id)
        var output: [ResponsesWire.OutputItem] = []
        if let text = choice?.message.content, !text.isEmpty { output.append(.message(id: ids.message, text: text)) }
        for call in choice?.message.toolCalls ?? [] {
            output.append(.functionCall(callID: call.id, name: call.function.name, arguments: call.function.arguments))
        }
        let response = ResponsesWire.Response(
            id: ids.response,
            createdAt: completion.created ?? Int(BudgetEnforcer.unixSeconds()),
            model: completion.model,
            output: output,
            finishReason: choice?.finishReason,
            usage: completion.usage,
            echo: echo
        )
        return WireJSON.encode(response)
    }

    /// The ids of one answer's response and message item, from its chat id.
    struct Ids: Sendable {
        let response: String
        let message: String

        init(chatID: String?) {
            var base = chatID ?? ""
            if base.hasPrefix("chatcmpl-") { base.removeFirst("chatcmpl-".count) }
            if base.isEmpty { base = String(UInt64.random(in: 0...UInt64.max), radix: 16) }
            response = "resp_" + base
            message = "msg_" + base
        }
    }
}
