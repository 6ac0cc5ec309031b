import NIOCore

/// ConverseStream's event-stream messages as OpenAI chunks: `messageStart`, `contentBlockStart` (tool use),
/// `contentBlockDelta` (text or tool input), `messageStop` (stop reason) and `metadata` (usage); exception
/// messages (throttling, model errors) end the stream with an OpenAI error event. A stream that closes
/// before `messageStop` is reported as cut.
struct BedrockStreamDecoder: ProviderStreamDecoder {
    let includeUsage: Bool
    let model: String
    private(set) var summary = ResponseSummary()
    private(set) var isFinished = false
    private var frames = EventStreamDecoder()
    private let id = "chatcmpl-bedrock-\(UInt64.random(in: 0...UInt64.max))"
    private var stopped = false
    private var toolIndexes: [Int: Int] = [:]

    init(includeUsage: Bool, model: String) {
        self.includeUsage = includeUsage
        self.model = model
    }

    mutating func decode(_ chunk: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        frames.feed(chunk)
        var output = ByteBuffer()
        while !isFinished, let message = try frames.next() {
            try translate(message, into: &output)
        }
        return output
    }

    /// Closing without `metadata` is fine once `messageStop` arrived; before it, the answer was cut.
    func finish() throws(GatewayError) -> ByteBuffer {
        guard stopped else { throw .invalidUpstreamResponse("the stream ended before messageStop") }
        return tail()
    }

    private func tail() -> ByteBuffer {
        var tail = ByteBuffer()
        if includeUsage, let usage = summary.usage { tail.writeImmutableBuffer(OpenAIChat.usageChunk(id: id, model: model, usage: usage)) }
        tail.writeImmutableBuffer(OpenAIChat.done)
        return tail
    }

    private mutating func translate(_ message: EventStreamMessage, into output: inout ByteBuffer) throws(GatewayError) {
        if message.messageType == "exception" || message.messageType == "error" {
            let kind = message.exceptionType ?? message.headers[":error-code"] ?? "error"
            let status = kind == "throttlingException" ? 429 : kind == "serviceUnavailableException" ? 503 : 500
            let text = UpstreamErrors.message(in: message.payload) ?? "Bedrock reported \(kind) in the stream."
            let error = GatewayError.upstreamStatus(status: status, message: text, type: kind, code: nil, retryAfter: nil)
            output.writeImmutableBuffer(OpenAIErrorBody.sseEvent(for: error))
            summary.streamError = error
            isFinished = true
            return
        }
        let known: Set = ["messageStart", "contentBlockStart", "contentBlockDelta", "messageStop", "metadata"]
        guard let type = message.eventType, known.contains(type) else { return }  // contentBlockStop, and events added later
        let event = try WireJSON.decode(BedrockWire.StreamEvent.self, from: message.payload, expected: "a ConverseStream \(type) event")
        switch type {
        case "messageStart":
            summary.id = id
            summary.model = model
            output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: .opening))
        case "contentBlockStart":
            guard let use = event.start?.toolUse, let block = event.contentBlockIndex else { return }
            let index = toolIndexes.count
            toolIndexes[block] = index
            let delta = OpenAIChatWire.Delta(toolCalls: [.opening(index: index, id: use.toolUseId, name: use.name)])
            output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: delta))
        case "contentBlockDelta":
            if let text = event.delta?.text {
                output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: .init(content: text)))
            } else if let input = event.delta?.toolUse?.input, let block = event.contentBlockIndex, let index = toolIndexes[block] {
                output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: .init(toolCalls: [.arguments(index: index, input)])))
            }
        case "messageStop":
            stopped = true
            let finish = BedrockConverseMapping.finishReason(event.stopReason) ?? "stop"
            summary.finishReasons.append(finish)
            output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: .empty, finishReason: finish))
        default:  // metadata
            summary.usage = event.usage?.tokenUsage ?? TokenUsage(promptTokens: 0, completionTokens: 0)
            if stopped {
                isFinished = true
                output.writeImmutableBuffer(tail())
            }
        }
    }
}
