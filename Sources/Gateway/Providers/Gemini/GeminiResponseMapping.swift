import NIOCore

/// Maps Gemini `GenerateContentResponse` objects onto OpenAI's shapes: text parts into `content`,
/// `functionCall` parts into `tool_calls` (Gemini has no call ids, so they are made up per index),
/// `finishReason` into `finish_reason`, `usageMetadata` into `usage`.
enum GeminiResponseMapping {
    /// What one response object (or stream event) says.
    struct Piece {
        var id: String?
        var model: String?
        var text = ""
        var calls: [OpenAIChat.ToolCall] = []
        var finishReason: String?
        var usage: TokenUsage?
    }

    static func finishReason(_ reason: String?, hasCalls: Bool) -> String? {
        switch reason {
        case nil: nil
        case "MAX_TOKENS": "length"
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII": "content_filter"
        default: hasCalls ? "tool_calls" : "stop"
        }
    }

    static func piece(_ response: GeminiWire.Response, firstCallIndex: Int = 0) -> Piece {
        var piece = Piece(id: response.responseId, model: response.modelVersion)
        let candidate = response.candidates?.first
        for part in candidate?.content?.parts ?? [] {
            if let text = part.text, part.thought != true { piece.text += text }
            if let call = part.functionCall {
                let id = "call_\(firstCallIndex + piece.calls.count)"
                piece.calls.append(OpenAIChat.ToolCall(id: id, name: call.name, arguments: (call.args ?? .object([:])).jsonText))
            }
        }
        piece.finishReason = finishReason(candidate?.finishReason, hasCalls: !piece.calls.isEmpty)
        if let usage = response.usageMetadata { piece.usage = usage.tokenUsage }
        return piece
    }

    static func reply(from response: UpstreamResponse, requestedModel: String) async throws(GatewayError) -> ProviderReply {
        let body = try await response.successBody()
        let response = try WireJSON.decode(GeminiWire.Response.self, from: body, expected: "a Gemini GenerateContentResponse")
        guard response.candidates != nil else { throw GatewayError.invalidUpstreamResponse("expected a Gemini GenerateContentResponse") }
        let piece = piece(response)
        let id = piece.id.map { "chatcmpl-\($0)" } ?? "chatcmpl-gemini"
        let model = piece.model ?? requestedModel
        let finish = piece.finishReason ?? "stop"
        return OpenAIChat.reply(id: id, model: model, text: piece.text, toolCalls: piece.calls, finishReason: finish, usage: piece.usage)
    }
}

/// Gemini's `alt=sse` events as OpenAI chunks. Gemini has no end-of-stream event: a stream is complete
/// when an event carried a `finishReason`; one that closes before that is reported as cut.
struct GeminiStreamDecoder: ProviderStreamDecoder {
    let includeUsage: Bool
    var model: String
    private(set) var summary = ResponseSummary()
    let isFinished = false
    private var reader = SSEReader()
    private var started = false
    private var toolCalls = 0

    init(includeUsage: Bool, model: String) {
        self.includeUsage = includeUsage
        self.model = model
    }

    mutating func decode(_ chunk: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        var output = ByteBuffer()
        for event in try reader.read(chunk) {
            translate(try WireJSON.decode(GeminiWire.Response.self, from: event.data, expected: "a Gemini stream event"), into: &output)
        }
        return output
    }

    mutating func finish() throws(GatewayError) -> ByteBuffer {
        var tail = ByteBuffer()
        if let last = try reader.close() {
            translate(try WireJSON.decode(GeminiWire.Response.self, from: last.data, expected: "a Gemini stream event"), into: &tail)
        }
        guard !summary.finishReasons.isEmpty else { throw .invalidUpstreamResponse("the stream ended before a finishReason") }
        if includeUsage, let usage = summary.usage {
            tail.writeImmutableBuffer(OpenAIChat.usageChunk(id: summary.id ?? "", model: model, usage: usage))
        }
        tail.writeImmutableBuffer(OpenAIChat.done)
        return tail
    }

    private mutating func translate(_ response: GeminiWire.Response, into output: inout ByteBuffer) {
        let piece = GeminiResponseMapping.piece(response, firstCallIndex: toolCalls)
        if !started {
            started = true
            summary.id = piece.id.map { "chatcmpl-\($0)" } ?? "chatcmpl-gemini"
            model = piece.model ?? model
            summary.model = model
            output.writeImmutableBuffer(OpenAIChat.chunk(id: summary.id ?? "", model: model, delta: .opening))
        }
        let id = summary.id ?? ""
        if !piece.text.isEmpty { output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: .init(content: piece.text))) }
        for call in piece.calls {
            let delta = OpenAIChatWire.Delta(toolCalls: [.opening(index: toolCalls, id: call.id, name: call.name, arguments: call.arguments)])
            toolCalls += 1
            output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: delta))
        }
        if let usage = piece.usage { summary.usage = usage }
        if let finish = piece.finishReason {
            let reason = toolCalls > 0 && finish == "stop" ? "tool_calls" : finish
            summary.finishReasons.append(reason)
            output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: .empty, finishReason: reason))
        }
    }
}
