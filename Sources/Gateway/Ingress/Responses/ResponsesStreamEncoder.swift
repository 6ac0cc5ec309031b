import NIOCore

/// Re-encodes an OpenAI chunk stream as the Responses API's typed events for `/v1/responses` clients, in
/// their documented order: `response.created` and `response.in_progress`; per output item
/// `response.output_item.added`, then for the message `response.content_part.added`, `…output_text.delta`s,
/// `…output_text.done`, `…content_part.done`, or for a function call `…function_call_arguments.delta`s and
/// `…function_call_arguments.done`; `response.output_item.done`; and `response.completed` (or
/// `response.incomplete`) with the whole response and its usage. A failure after the start is
/// `response.failed`. Events are read by the shared ``SSEReader`` and written by ``SSEWriter``.
struct ResponsesStreamEncoder: StreamTranslator {
    /// An output item being written.
    private struct OpenItem {
        var outputIndex: Int
        var item: ResponsesWire.OutputItem
        /// The message's text, or the call's arguments, so far.
        var text = ""
    }

    let echo: ResponsesEcho
    private var reader = SSEReader()
    private var model: String?
    private var createdAt = 0
    private var started = false
    private var finished = false
    private var sequence = 0
    private var message: OpenItem?
    /// Chat tool-call index → the function-call item it writes.
    private var calls: [Int: OpenItem] = [:]
    private var nextOutputIndex = 0
    /// Items closed so far, in output order, for the final response.
    private var done: [ResponsesWire.OutputItem] = []
    private var finishReason: String?
    private var usage: TokenUsage?
    /// The finished response, until the relay takes storing it (``takeFollowUp()``).
    private var finishedResponse: ResponsesWire.Response?

    init(echo: ResponsesEcho) {
        self.echo = echo
    }

    mutating func translate(_ chunk: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        var output = ByteBuffer()
        for event in try reader.read(chunk) { try handle(event, into: &output) }
        return output
    }

    mutating func finish() throws(GatewayError) -> ByteBuffer {
        var output = ByteBuffer()
        if let last = try reader.close() { try handle(last, into: &output) }
        return output
    }

    func error(_ error: GatewayError, requestID: String?, provider: String?) -> ByteBuffer {
        var response = self.response(status: nil)
        response.status = "failed"
        let message = OpenAIErrorBody.message(error, requestID: requestID, provider: provider)
        response.error = ResponsesWire.ErrorInfo(code: error.code ?? error.type, message: message)
        let event = ResponsesWire.Event(type: "response.failed", sequenceNumber: sequence, response: response)
        return SSEWriter.event(name: event.type, json: event)
    }

    private mutating func handle(_ event: SSEEvent, into output: inout ByteBuffer) throws(GatewayError) {
        guard !finished else { return }
        if event.dataEquals("[DONE]") { return complete(into: &output) }
        let chunk = try WireJSON.decode(OpenAIChatWire.Chunk.self, from: event.data, expected: "a chat.completion.chunk")
        if !started {
            started = true
            model = chunk.model
            createdAt = chunk.created ?? Int(BudgetEnforcer.unixSeconds())
            var opening = response(status: nil)
            opening.status = "in_progress"
            emit(.init(type: "response.created", sequenceNumber: 0, response: opening), into: &output)
            emit(.init(type: "response.in_progress", sequenceNumber: 0, response: opening), into: &output)
        }
        if let counts = chunk.usage { usage = counts }
        for choice in chunk.choices ?? [] {
            if let text = choice.delta?.content, !text.isEmpty { appendText(text, into: &output) }
            for call in choice.delta?.toolCalls ?? [] { appendCall(call, into: &output) }
            if let reason = choice.finishReason { finishReason = reason }
        }
    }

    private mutating func appendText(_ text: String, into output: inout ByteBuffer) {
        if message == nil {
            closeCalls(into: &output)
            let item = ResponsesWire.OutputItem.message(id: "msg_" + echo.idSuffix, text: nil, status: "in_progress")
            message = OpenItem(outputIndex: takeOutputIndex(), item: item)
            emit(.init(type: "response.output_item.added", sequenceNumber: 0, outputIndex: message!.outputIndex, item: item), into: &output)
            let part = ResponsesWire.OutputText(text: "")
            emit(partEvent("response.content_part.added", part: part), into: &output)
        }
        message!.text += text
        var delta = textEvent("response.output_text.delta")
        delta.delta = text
        emit(delta, into: &output)
    }

    private mutating func appendCall(_ call: OpenAIChatWire.ToolCallDelta, into output: inout ByteBuffer) {
        let index = call.index ?? 0
        if calls[index] == nil {
            closeMessage(into: &output)
            let callID = call.id ?? "call_\(index)"
            let item = ResponsesWire.OutputItem.functionCall(callID: callID, name: call.function?.name ?? "", arguments: "", status: "in_progress")
            calls[index] = OpenItem(outputIndex: takeOutputIndex(), item: item)
            emit(.init(type: "response.output_item.added", sequenceNumber: 0, outputIndex: calls[index]!.outputIndex, item: item), into: &output)
        }
        guard let arguments = call.function?.arguments, !arguments.isEmpty, let open = calls[index] else { return }
        calls[index]!.text += arguments
        emit(
            .init(
                type: "response.function_call_arguments.delta",
                sequenceNumber: 0,
                outputIndex: open.outputIndex,
                itemID: open.item.id,
                delta: arguments
            ),
            into: &output
        )
    }

    private mutating func takeOutputIndex() -> Int {
        defer { nextOutputIndex += 1 }
        return nextOutputIndex
    }

    private mutating func closeMessage(into output: inout ByteBuffer) {
        guard let open = message else { return }
        var textDone = textEvent("response.output_text.done")
        textDone.text = open.text
        emit(textDone, into: &output)
        emit(partEvent("response.content_part.done", part: ResponsesWire.OutputText(text: open.text)), into: &output)
        let item = ResponsesWire.OutputItem.message(id: open.item.id, text: open.text)
        emit(.init(type: "response.output_item.done", sequenceNumber: 0, outputIndex: open.outputIndex, item: item), into: &output)
        done.append(item)
        message = nil
    }

    private mutating func closeCalls(into output: inout ByteBuffer) {
        for (_, open) in calls.sorted(by: { $0.value.outputIndex < $1.value.outputIndex }) {
            let callID = open.item.callID ?? ""
            emit(
                .init(
                    type: "response.function_call_arguments.done",
                    sequenceNumber: 0,
                    outputIndex: open.outputIndex,
                    itemID: open.item.id,
                    arguments: open.text
                ),
                into: &output
            )
            let item = ResponsesWire.OutputItem.functionCall(callID: callID, name: open.item.name ?? "", arguments: open.text)
            emit(.init(type: "response.output_item.done", sequenceNumber: 0, outputIndex: open.outputIndex, item: item), into: &output)
            done.append(item)
        }
        calls = [:]
    }

    /// `[DONE]`: close what is open, then the whole response.
    private mutating func complete(into output: inout ByteBuffer) {
        closeMessage(into: &output)
        closeCalls(into: &output)
        finished = true
        let response = response(status: finishReason)
        let type = response.status == "completed" ? "response.completed" : "response.incomplete"
        emit(.init(type: type, sequenceNumber: 0, response: response), into: &output)
        finishedResponse = response
    }

    /// Stores the finished response before its `response.completed` is sent.
    mutating func takeFollowUp() -> (@Sendable () async -> Void)? {
        guard let response = finishedResponse, echo.store != nil else { return nil }
        finishedResponse = nil
        let echo = self.echo
        return { await echo.remember(response, rendered: String(buffer: WireJSON.encode(response))) }
    }

    /// The response as it stands (the items closed so far).
    private func response(status finishReason: String?) -> ResponsesWire.Response {
        ResponsesWire.Response(
            id: echo.id,
            createdAt: createdAt,
            model: model,
            output: done,
            finishReason: finishReason,
            usage: usage,
            echo: echo
        )
    }

    private func textEvent(_ type: String) -> ResponsesWire.Event {
        ResponsesWire.Event(
            type: type,
            sequenceNumber: 0,
            outputIndex: message?.outputIndex,
            itemID: message?.item.id,
            contentIndex: 0,
            logprobs: []
        )
    }

    private func partEvent(_ type: String, part: ResponsesWire.OutputText) -> ResponsesWire.Event {
        ResponsesWire.Event(type: type, sequenceNumber: 0, outputIndex: message?.outputIndex, itemID: message?.item.id, contentIndex: 0, part: part)
    }

    /// One event, numbered in stream order and named after its type.
    private mutating func emit(_ event: ResponsesWire.Event, into output: inout ByteBuffer) {
        var event = event
        event.sequenceNumber = sequence
        sequence += 1
        output.writeImmutableBuffer(SSEWriter.event(name: event.type, json: event))
    }
}
