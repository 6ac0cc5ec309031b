import Foundation
import NIOCore
import NIOFoundationCompat

/// Builds OpenAI-shaped answers for adapters that translate (Anthropic, Bedrock, Gemini): the whole
/// `chat.completion` and the `chat.completion.chunk` events of a stream.
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
        var message: [String: Any] = ["role": "assistant", "content": content ?? NSNull()]
        if !toolCalls.isEmpty {
            message["tool_calls"] = toolCalls.map { call in
                ["id": call.id, "type": "function", "function": ["name": call.name, "arguments": call.arguments]] as [String: Any]
            }
        }
        var body: [String: Any] = [
            "id": id, "object": "chat.completion", "created": Int(Date().timeIntervalSince1970), "model": model,
            "choices": [["index": 0, "message": message, "finish_reason": finishReason] as [String: Any]],
        ]
        if let usage { body["usage"] = usageObject(usage) }
        return json(body)
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
        delta: [String: Any],
        finishReason: String? = nil,
        usage: TokenUsage? = nil,
        noChoices: Bool = false
    )
        -> ByteBuffer
    {
        var body: [String: Any] = ["id": id, "object": "chat.completion.chunk", "created": Int(Date().timeIntervalSince1970), "model": model]
        body["choices"] = noChoices ? [] : [["index": 0, "delta": delta, "finish_reason": finishReason ?? NSNull()] as [String: Any]]
        if let usage { body["usage"] = usageObject(usage) }
        var event = ByteBuffer(string: "data: ")
        var encoded = json(body)
        event.writeBuffer(&encoded)
        event.writeString("\n\n")
        return event
    }

    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    private static func usageObject(_ usage: TokenUsage) -> [String: Int] {
        ["prompt_tokens": usage.promptTokens, "completion_tokens": usage.completionTokens, "total_tokens": usage.totalTokens]
    }

    private static func json(_ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(data: (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8))
    }
}
