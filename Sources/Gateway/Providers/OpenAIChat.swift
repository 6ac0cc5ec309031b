import Foundation
import NIOCore

/// Builds OpenAI-shaped answers for adapters that translate (Anthropic, Bedrock, Gemini): the whole
/// `chat.completion` and the `chat.completion.chunk` events of a stream, from ``OpenAIChatWire`` models.
enum OpenAIChat {
    struct ToolCall: Sendable {
        var id: String
        var name: String
        var arguments: String
    }

    static func completion(
        id: String,
        model: String,
        content: String?,
        toolCalls: [ToolCall],
        finishReason: String,
        usage: TokenUsage?
    )
        -> ByteBuffer
    {
        let calls = toolCalls.map { OpenAIChatWire.ToolCall(id: $0.id, function: .init(name: $0.name, arguments: $0.arguments)) }
        let message = OpenAIChatWire.Message(role: "assistant", content: content, toolCalls: calls.isEmpty ? nil : calls)
        let completion = OpenAIChatWire.Completion(
            id: id,
            created: now(),
            model: model,
            choices: [OpenAIChatWire.CompletionChoice(index: 0, message: message, finishReason: finishReason)],
            usage: usage
        )
        return WireJSON.encode(completion)
    }

    /// A translated whole answer: its `chat.completion` bytes and the summary telemetry reads (content is
    /// null when the answer is only tool calls, as OpenAI sends it).
    static func reply(id: String, model: String, text: String, toolCalls: [ToolCall], finishReason: String, usage: TokenUsage?) -> ProviderReply {
        let body = completion(
            id: id,
            model: model,
            content: text.isEmpty && !toolCalls.isEmpty ? nil : text,
            toolCalls: toolCalls,
            finishReason: finishReason,
            usage: usage
        )
        return ProviderReply(body: body, summary: ResponseSummary(id: id, model: model, finishReasons: [finishReason], usage: usage))
    }

    /// One `data: {chunk}` SSE event.
    static func chunk(
        id: String,
        model: String,
        delta: OpenAIChatWire.Delta,
        finishReason: String? = nil,
        usage: TokenUsage? = nil,
        noChoices: Bool = false
    )
        -> ByteBuffer
    {
        let chunk = OpenAIChatWire.Chunk(
            id: id,
            created: now(),
            model: model,
            choices: noChoices ? [] : [OpenAIChatWire.ChunkChoice(delta: delta, finishReason: finishReason)],
            usage: usage
        )
        return SSEWriter.event(json: chunk)
    }

    /// The usage chunk that ends a stream when the client asked for `stream_options.include_usage`.
    static func usageChunk(id: String, model: String, usage: TokenUsage) -> ByteBuffer {
        chunk(id: id, model: model, delta: .empty, usage: usage, noChoices: true)
    }

    /// `data: [DONE]`, the end of every OpenAI stream.
    static let done = SSEWriter.event(data: "[DONE]".utf8)

    private static func now() -> Int { Int(Date().timeIntervalSince1970) }
}
