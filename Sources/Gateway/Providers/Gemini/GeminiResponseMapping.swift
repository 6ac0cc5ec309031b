import Foundation
import NIOCore
import NIOFoundationCompat

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

    static func piece(_ object: [String: Any], firstCallIndex: Int = 0) -> Piece {
        var piece = Piece(id: object["responseId"] as? String, model: object["modelVersion"] as? String)
        let candidate = (object["candidates"] as? [[String: Any]])?.first ?? [:]
        let parts = (candidate["content"] as? [String: Any])?["parts"] as? [[String: Any]] ?? []
        for part in parts {
            if let text = part["text"] as? String, part["thought"] as? Bool != true { piece.text += text }
            if let call = part["functionCall"] as? [String: Any] {
                let id = "call_\(firstCallIndex + piece.calls.count)"
                piece.calls.append(
                    OpenAIChat.ToolCall(id: id, name: call["name"] as? String ?? "", arguments: AnthropicResponseMapping.jsonText(call["args"]))
                )
            }
        }
        piece.finishReason = finishReason(candidate["finishReason"] as? String, hasCalls: !piece.calls.isEmpty)
        if let usage = object["usageMetadata"] as? [String: Any] {
            piece.usage = TokenUsage(
                promptTokens: usage["promptTokenCount"] as? Int ?? 0,
                completionTokens: usage["candidatesTokenCount"] as? Int ?? 0
            )
        }
        return piece
    }

    static func reply(from response: UpstreamResponse, requestedModel: String) async throws(GatewayError) -> ProviderReply {
        let body = try await OpenAIResponseMapping.collect(response.body)
        guard (200..<300).contains(response.status) else {
            throw OpenAIResponseMapping.error(status: response.status, body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any], object["candidates"] != nil else {
            throw GatewayError.invalidUpstreamResponse("expected a Gemini GenerateContentResponse")
        }
        let piece = piece(object)
        let id = piece.id.map { "chatcmpl-\($0)" } ?? "chatcmpl-gemini"
        let model = piece.model ?? requestedModel
        let finish = piece.finishReason ?? "stop"
        let completion = OpenAIChat.completion(
            id: id,
            model: model,
            content: piece.text.isEmpty && !piece.calls.isEmpty ? nil : piece.text,
            toolCalls: piece.calls,
            finishReason: finish,
            usage: piece.usage
        )
        return ProviderReply(body: completion, summary: ResponseSummary(id: id, model: model, finishReasons: [finish], usage: piece.usage))
    }
}

/// Gemini's `alt=sse` stream relayed as OpenAI chunks. Gemini has no end-of-stream event: a stream is
/// complete when an event carried a `finishReason`; one that closes before that is reported as cut.
struct GeminiStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: UpstreamBody
    let includeUsage: Bool
    let model: String
    let summary: StreamSummary

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: UpstreamBody.AsyncIterator
        let includeUsage: Bool
        let summary: StreamSummary
        var model: String
        var pending: [UInt8] = []
        var started = false
        var ended = false
        var toolCalls = 0
        var state = ResponseSummary()

        mutating func next() async throws -> ByteBuffer? {
            while !ended {
                guard let chunk = try await base.next() else {
                    ended = true
                    summary.record(state)
                    guard !state.finishReasons.isEmpty else { throw GatewayError.invalidUpstreamResponse("the stream ended before a finishReason") }
                    var tail = ByteBuffer()
                    if includeUsage, let usage = state.usage {
                        tail.writeImmutableBuffer(OpenAIChat.chunk(id: state.id ?? "", model: model, delta: [:], usage: usage, noChoices: true))
                    }
                    tail.writeImmutableBuffer(OpenAIChat.done)
                    return tail
                }
                pending.append(contentsOf: chunk.readableBytesView)
                var output = ByteBuffer()
                while let end = pending.firstRange(of: [0x0A, 0x0A]) ?? pending.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A]) {
                    let event = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                    pending.removeFirst(end.upperBound)
                    for line in event.split(whereSeparator: \.isNewline) where line.hasPrefix("data:") {
                        translate(line.dropFirst(5).trimmingCharacters(in: .whitespaces), into: &output)
                    }
                }
                if output.readableBytes > 0 { return output }
            }
            return nil
        }

        private mutating func translate(_ data: String, into output: inout ByteBuffer) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { return }
            let piece = GeminiResponseMapping.piece(object, firstCallIndex: toolCalls)
            if !started {
                started = true
                state.id = piece.id.map { "chatcmpl-\($0)" } ?? "chatcmpl-gemini"
                model = piece.model ?? model
                state.model = model
                output.writeImmutableBuffer(OpenAIChat.chunk(id: state.id!, model: model, delta: ["role": "assistant", "content": ""]))
            }
            let id = state.id ?? ""
            if !piece.text.isEmpty { output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: ["content": piece.text])) }
            for call in piece.calls {
                let delta: [String: Any] = [
                    "tool_calls": [
                        ["index": toolCalls, "id": call.id, "type": "function", "function": ["name": call.name, "arguments": call.arguments]]
                    ]
                ]
                toolCalls += 1
                output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: delta))
            }
            if let usage = piece.usage { state.usage = usage }
            if let finish = piece.finishReason {
                let reason = toolCalls > 0 && finish == "stop" ? "tool_calls" : finish
                state.finishReasons.append(reason)
                output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: [:], finishReason: reason))
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), includeUsage: includeUsage, summary: summary, model: model)
    }
}
