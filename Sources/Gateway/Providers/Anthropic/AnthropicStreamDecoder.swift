import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns Anthropic's SSE events (message_start, content_block_start/delta/stop, message_delta, message_stop,
/// ping, error) into OpenAI `chat.completion.chunk` events: text deltas as `content`, tool use as `tool_calls`
/// deltas, the stop reason as `finish_reason`, the usage as a final chunk when `stream_options.include_usage`
/// asked for it, then `data: [DONE]`. Bytes may split anywhere; events are decoded once complete.
struct AnthropicStreamDecoder: ProviderStreamDecoder {
    let includeUsage: Bool
    private(set) var summary = ResponseSummary()
    /// `message_stop` or an `error` event arrived: the stream ended as the protocol says it should.
    private(set) var isFinished = false
    private var pending: [UInt8] = []
    private var id = ""
    private var model: String
    private var inputTokens = 0
    private var outputTokens = 0
    /// Anthropic content-block index → OpenAI tool-call index.
    private var toolIndexes: [Int: Int] = [:]

    init(includeUsage: Bool, model: String) {
        self.includeUsage = includeUsage
        self.model = model
    }

    /// The OpenAI events for everything complete in `chunk` (and what was left over before it).
    mutating func decode(_ chunk: ByteBuffer) -> ByteBuffer {
        pending.append(contentsOf: chunk.readableBytesView)
        var output = ByteBuffer()
        while let end = Self.eventEnd(in: pending) {
            let event = Array(pending[..<end.start])
            pending.removeFirst(end.next)
            handle(event, into: &output)
        }
        return output
    }

    func finish() throws(GatewayError) -> ByteBuffer {
        throw .invalidUpstreamResponse("the stream ended before message_stop")
    }

    /// Where the first complete event ends (a blank line, `\n\n` or `\r\n\r\n`).
    private static func eventEnd(in bytes: [UInt8]) -> (start: Int, next: Int)? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return (index, index + 2) }
            if index + 3 < bytes.count && bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D && bytes[index + 3] == 0x0A {
                return (index, index + 4)
            }
            index += 1
        }
        return nil
    }

    private mutating func handle(_ event: [UInt8], into output: inout ByteBuffer) {
        var data = ""
        for line in String(decoding: event, as: UTF8.self).split(separator: "\n") {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.hasPrefix("data:") { data += line.dropFirst(5).drop(while: { $0 == " " }) }
        }
        guard !isFinished, let payload = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { return }
        switch payload["type"] as? String {
        case "message_start":
            let message = payload["message"] as? [String: Any] ?? [:]
            id = message["id"] as? String ?? id
            model = message["model"] as? String ?? model
            inputTokens = (message["usage"] as? [String: Any])?["input_tokens"] as? Int ?? 0
            summary.id = id
            summary.model = model
            emit(["role": "assistant", "content": ""], into: &output)
        case "content_block_start":
            let block = payload["content_block"] as? [String: Any] ?? [:]
            guard block["type"] as? String == "tool_use", let index = payload["index"] as? Int else { return }
            let toolIndex = toolIndexes.count
            toolIndexes[index] = toolIndex
            let call: [String: Any] = [
                "index": toolIndex, "id": block["id"] as? String ?? "", "type": "function",
                "function": ["name": block["name"] as? String ?? "", "arguments": ""],
            ]
            emit(["tool_calls": [call]], into: &output)
        case "content_block_delta":
            let delta = payload["delta"] as? [String: Any] ?? [:]
            if delta["type"] as? String == "text_delta" {
                emit(["content": delta["text"] as? String ?? ""], into: &output)
            } else if delta["type"] as? String == "input_json_delta", let index = payload["index"] as? Int, let toolIndex = toolIndexes[index] {
                emit(["tool_calls": [["index": toolIndex, "function": ["arguments": delta["partial_json"] as? String ?? ""]]]], into: &output)
            }
        case "message_delta":
            let delta = payload["delta"] as? [String: Any] ?? [:]
            outputTokens = (payload["usage"] as? [String: Any])?["output_tokens"] as? Int ?? outputTokens
            if let reason = AnthropicResponseMapping.finishReason(delta["stop_reason"] as? String) {
                summary.finishReasons.append(reason)
                output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: [:], finishReason: reason))
            }
        case "message_stop":
            let usage = TokenUsage(promptTokens: inputTokens, completionTokens: outputTokens)
            summary.usage = usage
            if includeUsage { output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: [:], usage: usage, noChoices: true)) }
            output.writeImmutableBuffer(OpenAIChat.done)
            isFinished = true
        case "error":
            let detail = payload["error"] as? [String: Any] ?? [:]
            let error = GatewayError.upstreamStatus(
                status: detail["type"] as? String == "overloaded_error" ? 529 : 500,
                message: detail["message"] as? String ?? "The provider reported an error in the stream.",
                type: detail["type"] as? String,
                code: nil,
                retryAfter: nil
            )
            output.writeImmutableBuffer(OpenAIErrorBody.sseEvent(for: error))
            isFinished = true
        default:
            break  // ping, content_block_stop, and events added later
        }
    }

    private func emit(_ delta: [String: Any], into output: inout ByteBuffer) {
        output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: delta))
    }
}
