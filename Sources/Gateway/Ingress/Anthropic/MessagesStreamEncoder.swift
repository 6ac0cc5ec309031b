import NIOCore

/// Re-encodes an OpenAI chunk stream as Anthropic's event stream for `/v1/messages` clients: `message_start`,
/// a text block and one block per tool call (`content_block_start` / `_delta` / `_stop`), then `message_delta`
/// with the stop reason and usage, and `message_stop`. Events are read by the shared ``SSEReader`` (any line
/// ending) and written by ``SSEWriter``; a chunk that is not a `chat.completion.chunk` fails the stream.
struct MessagesStreamEncoder: StreamTranslator {
    private var reader = SSEReader()
    private var started = false
    private var openBlock: Int?
    private var nextBlock = 0
    /// OpenAI tool-call index → Anthropic block index.
    private var toolBlocks: [Int: Int] = [:]
    private var stopReason = "end_turn"
    /// The usage chunk's counts, reported in `message_delta` (cumulative, as Anthropic's are).
    private var usage = AnthropicWire.Usage(outputTokens: 0)

    mutating func translate(_ chunk: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        var output = ByteBuffer()
        for event in try reader.read(chunk) {
            try handle(event, into: &output)
        }
        return output
    }

    mutating func finish() throws(GatewayError) -> ByteBuffer {
        var output = ByteBuffer()
        if let last = try reader.close() { try handle(last, into: &output) }
        return output
    }

    func error(_ error: GatewayError, requestID: String?, provider: String?) -> ByteBuffer {
        SSEWriter.event(name: "error", json: MessagesResponseMapping.errorBody(error, requestID: requestID, provider: provider))
    }

    private mutating func handle(_ event: SSEEvent, into output: inout ByteBuffer) throws(GatewayError) {
        if event.dataEquals("[DONE]") {
            closeBlock(into: &output)
            emit(.init(type: "message_delta", delta: .init(stopReason: stopReason), usage: usage), into: &output)
            emit(.init(type: "message_stop"), into: &output)
            return
        }
        let chunk = try WireJSON.decode(OpenAIChatWire.Chunk.self, from: event.data, expected: "a chat.completion.chunk")
        if !started {
            started = true
            let message = AnthropicWire.Message(
                id: chunk.id ?? "msg_gateway",
                model: chunk.model ?? "",
                content: [],
                stopReason: nil,
                usage: .init(inputTokens: 0, outputTokens: 0)
            )
            emit(.init(type: "message_start", message: message), into: &output)
        }
        if let counts = chunk.usage { usage = AnthropicWire.Usage(counts) }
        for choice in chunk.choices ?? [] {
            if let text = choice.delta?.content, !text.isEmpty {
                if openBlock == nil || toolBlocks.values.contains(openBlock!) {
                    closeBlock(into: &output)
                    openBlock(.text(""), into: &output)
                }
                emit(.init(type: "content_block_delta", index: openBlock!, delta: .init(type: "text_delta", text: text)), into: &output)
            }
            for call in choice.delta?.toolCalls ?? [] {
                let toolIndex = call.index ?? 0
                if toolBlocks[toolIndex] == nil {
                    closeBlock(into: &output)
                    toolBlocks[toolIndex] = nextBlock
                    openBlock(.toolUse(id: call.id ?? "", name: call.function?.name ?? "", input: .object([:])), into: &output)
                }
                if let arguments = call.function?.arguments, !arguments.isEmpty, let block = toolBlocks[toolIndex] {
                    let delta = AnthropicWire.Delta(type: "input_json_delta", partialJSON: arguments)
                    emit(.init(type: "content_block_delta", index: block, delta: delta), into: &output)
                }
            }
            if let finish = choice.finishReason { stopReason = MessagesResponseMapping.stopReason(finish) }
        }
    }

    private mutating func openBlock(_ block: AnthropicWire.Block, into output: inout ByteBuffer) {
        openBlock = nextBlock
        emit(.init(type: "content_block_start", index: nextBlock, contentBlock: block), into: &output)
        nextBlock += 1
    }

    private mutating func closeBlock(into output: inout ByteBuffer) {
        guard let index = openBlock else { return }
        emit(.init(type: "content_block_stop", index: index), into: &output)
        openBlock = nil
    }

    /// One event, named after its type as Anthropic names them.
    private func emit(_ event: AnthropicWire.StreamEvent, into output: inout ByteBuffer) {
        output.writeImmutableBuffer(SSEWriter.event(name: event.type, json: event))
    }
}
