import Foundation
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
            translate(message, into: &output)
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
        if includeUsage, let usage = summary.usage {
            tail.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: [:], usage: usage, noChoices: true))
        }
        tail.writeImmutableBuffer(OpenAIChat.done)
        return tail
    }

    private mutating func translate(_ message: EventStreamMessage, into output: inout ByteBuffer) {
        let payload = (try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]) ?? [:]
        if message.messageType == "exception" || message.messageType == "error" {
            let kind = message.exceptionType ?? message.headers[":error-code"] ?? "error"
            let status = kind == "throttlingException" ? 429 : kind == "serviceUnavailableException" ? 503 : 500
            let text = payload["message"] as? String ?? "Bedrock reported \(kind) in the stream."
            output.writeImmutableBuffer(
                OpenAIErrorBody.sseEvent(for: .upstreamStatus(status: status, message: text, type: kind, code: nil, retryAfter: nil))
            )
            isFinished = true
            return
        }
        switch message.eventType {
        case "messageStart":
            summary.id = id
            summary.model = model
            output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: ["role": "assistant", "content": ""]))
        case "contentBlockStart":
            guard let use = (payload["start"] as? [String: Any])?["toolUse"] as? [String: Any], let block = payload["contentBlockIndex"] as? Int
            else { return }
            let index = toolIndexes.count
            toolIndexes[block] = index
            let call: [String: Any] = [
                "index": index, "id": use["toolUseId"] as? String ?? "", "type": "function",
                "function": ["name": use["name"] as? String ?? "", "arguments": ""],
            ]
            output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: ["tool_calls": [call]]))
        case "contentBlockDelta":
            let delta = payload["delta"] as? [String: Any] ?? [:]
            if let text = delta["text"] as? String {
                output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: ["content": text]))
            } else if let input = (delta["toolUse"] as? [String: Any])?["input"] as? String, let block = payload["contentBlockIndex"] as? Int,
                let index = toolIndexes[block]
            {
                output.writeImmutableBuffer(
                    OpenAIChat.chunk(id: id, model: model, delta: ["tool_calls": [["index": index, "function": ["arguments": input]]]])
                )
            }
        case "messageStop":
            stopped = true
            let finish = BedrockConverseMapping.finishReason(payload["stopReason"] as? String) ?? "stop"
            summary.finishReasons.append(finish)
            output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: [:], finishReason: finish))
        case "metadata":
            let usage = payload["usage"] as? [String: Any] ?? [:]
            summary.usage = TokenUsage(promptTokens: usage["inputTokens"] as? Int ?? 0, completionTokens: usage["outputTokens"] as? Int ?? 0)
            if stopped {
                isFinished = true
                output.writeImmutableBuffer(tail())
            }
        default:
            break
        }
    }
}
