import NIOCore

/// Turns Anthropic's SSE events (message_start, content_block_start/delta/stop, message_delta, message_stop,
/// ping, error) into OpenAI `chat.completion.chunk` events: text deltas as `content`, tool use as `tool_calls`
/// deltas, the stop reason as `finish_reason`, the usage as a final chunk when `stream_options.include_usage`
/// asked for it, then `data: [DONE]`. Events are read by the shared ``SSEReader``; one that is not a valid
/// Anthropic event (or lacks what its type requires) fails the stream.
struct AnthropicStreamDecoder: ProviderStreamDecoder {
    let includeUsage: Bool
    private(set) var summary = ResponseSummary()
    /// `message_stop` or an `error` event arrived: the stream ended as the protocol says it should.
    private(set) var isFinished = false
    private var reader = SSEReader()
    private var id = ""
    private var model: String
    /// The counts `message_start` reported, updated by each `message_delta`.
    private var usage = AnthropicWire.Usage()
    /// Anthropic content-block index → OpenAI tool-call index.
    private var toolIndexes: [Int: Int] = [:]

    init(includeUsage: Bool, model: String) {
        self.includeUsage = includeUsage
        self.model = model
    }

    /// The OpenAI events for everything complete in `chunk` (and what was left over before it).
    mutating func decode(_ chunk: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        var output = ByteBuffer()
        for event in try reader.read(chunk) where !isFinished {
            try handle(WireJSON.decode(AnthropicWire.StreamEvent.self, from: event.data, expected: "an Anthropic stream event"), into: &output)
        }
        return output
    }

    /// The upstream closed: a last event without its blank line still counts; without `message_stop` the
    /// answer was cut.
    mutating func finish() throws(GatewayError) -> ByteBuffer {
        var output = ByteBuffer()
        if !isFinished, let last = try reader.close() {
            try handle(WireJSON.decode(AnthropicWire.StreamEvent.self, from: last.data, expected: "an Anthropic stream event"), into: &output)
        }
        guard isFinished else { throw .invalidUpstreamResponse("the stream ended before message_stop") }
        return output
    }

    private mutating func handle(_ event: AnthropicWire.StreamEvent, into output: inout ByteBuffer) throws(GatewayError) {
        switch event.type {
        case "message_start":
            guard let message = event.message else { throw .invalidUpstreamResponse("message_start without a message") }
            id = message.id
            model = message.model ?? model
            usage = usage.updated(by: message.usage)
            summary.id = id
            summary.model = model
            emit(.opening, into: &output)
        case "content_block_start":
            guard let block = event.contentBlock, let index = event.index else {
                throw .invalidUpstreamResponse("content_block_start without its block or index")
            }
            guard block.type == "tool_use" else { return }
            let toolIndex = toolIndexes.count
            toolIndexes[index] = toolIndex
            emit(OpenAIChatWire.Delta(toolCalls: [.opening(index: toolIndex, id: block.id ?? "", name: block.name ?? "")]), into: &output)
        case "content_block_delta":
            guard let delta = event.delta, let index = event.index else {
                throw .invalidUpstreamResponse("content_block_delta without its delta or index")
            }
            if delta.type == "text_delta", let text = delta.text {
                emit(OpenAIChatWire.Delta(content: text), into: &output)
            } else if delta.type == "input_json_delta", let toolIndex = toolIndexes[index], let json = delta.partialJSON {
                emit(OpenAIChatWire.Delta(toolCalls: [.arguments(index: toolIndex, json)]), into: &output)
            }
        case "message_delta":
            usage = usage.updated(by: event.usage)
            if let reason = AnthropicResponseMapping.finishReason(event.delta?.stopReason) {
                summary.finishReasons.append(reason)
                output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: .empty, finishReason: reason))
            }
        case "message_stop":
            let usage = usage.tokenUsage
            summary.usage = usage
            if includeUsage { output.writeImmutableBuffer(OpenAIChat.usageChunk(id: id, model: model, usage: usage)) }
            output.writeImmutableBuffer(OpenAIChat.done)
            isFinished = true
        case "error":
            let detail = event.error
            let error = GatewayError.upstreamStatus(
                status: detail?.type == "overloaded_error" ? 529 : 500,
                message: detail?.message ?? "The provider reported an error in the stream.",
                type: detail?.type,
                code: nil,
                retryAfter: nil
            )
            summary.streamError = error
            output.writeImmutableBuffer(OpenAIErrorBody.sseEvent(for: error))
            isFinished = true
        default:
            break  // ping, content_block_stop, and events added later
        }
    }

    private func emit(_ delta: OpenAIChatWire.Delta, into output: inout ByteBuffer) {
        output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: delta))
    }
}
