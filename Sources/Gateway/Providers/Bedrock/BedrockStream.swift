import Foundation
import NIOCore

/// ConverseStream's event-stream messages relayed as OpenAI chunks: `messageStart`, `contentBlockStart`
/// (tool use), `contentBlockDelta` (text or tool input), `messageStop` (stop reason) and `metadata` (usage);
/// exception messages (throttling, model errors) end the stream with an OpenAI error event. A stream that
/// closes before `messageStop` is reported as cut.
struct BedrockStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: UpstreamBody
    let includeUsage: Bool
    let model: String
    let summary: StreamSummary

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: UpstreamBody.AsyncIterator
        let includeUsage: Bool
        let model: String
        let summary: StreamSummary
        var decoder = EventStreamDecoder()
        var state = ResponseSummary()
        var id = "chatcmpl-bedrock-\(UInt64.random(in: 0...UInt64.max))"
        var stopped = false
        var ended = false
        var toolIndexes: [Int: Int] = [:]

        mutating func next() async throws -> ByteBuffer? {
            while !ended {
                guard let chunk = try await base.next() else {
                    ended = true
                    summary.record(state)
                    guard stopped else { throw GatewayError.invalidUpstreamResponse("the stream ended before messageStop") }
                    return finish()
                }
                decoder.feed(chunk)
                var output = ByteBuffer()
                while let message = try decoder.next() {
                    translate(message, into: &output)
                    if ended { break }
                }
                if output.readableBytes > 0 { return output }
            }
            return nil
        }

        private mutating func finish() -> ByteBuffer {
            var tail = ByteBuffer()
            if includeUsage, let usage = state.usage {
                tail.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: [:], usage: usage, noChoices: true))
            }
            tail.writeImmutableBuffer(OpenAIChat.done)
            return tail
        }

        private mutating func translate(_ message: EventStreamMessage, into output: inout ByteBuffer) {
            if message.messageType == "exception" || message.messageType == "error" {
                let payload = (try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]) ?? [:]
                let kind = message.exceptionType ?? message.headers[":error-code"] ?? "error"
                let status = kind == "throttlingException" ? 429 : kind == "serviceUnavailableException" ? 503 : 500
                let text = payload["message"] as? String ?? "Bedrock reported \(kind) in the stream."
                output.writeImmutableBuffer(
                    OpenAIErrorBody.sseEvent(for: .upstreamStatus(status: status, message: text, type: kind, code: nil, retryAfter: nil))
                )
                ended = true
                summary.record(state)
                return
            }
            let payload = (try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]) ?? [:]
            switch message.eventType {
            case "messageStart":
                state.id = id
                state.model = model
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
                state.finishReasons.append(finish)
                output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: [:], finishReason: finish))
            case "metadata":
                let usage = payload["usage"] as? [String: Any] ?? [:]
                state.usage = TokenUsage(promptTokens: usage["inputTokens"] as? Int ?? 0, completionTokens: usage["outputTokens"] as? Int ?? 0)
                if stopped {
                    ended = true
                    summary.record(state)
                    output.writeImmutableBuffer(finish())
                }
            default:
                break
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), includeUsage: includeUsage, model: model, summary: summary)
    }
}
