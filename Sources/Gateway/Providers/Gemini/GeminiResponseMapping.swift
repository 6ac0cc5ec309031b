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
    private var pending: [UInt8] = []
    private var started = false
    private var toolCalls = 0

    init(includeUsage: Bool, model: String) {
        self.includeUsage = includeUsage
        self.model = model
    }

    mutating func decode(_ chunk: ByteBuffer) -> ByteBuffer {
        pending.append(contentsOf: chunk.readableBytesView)
        var output = ByteBuffer()
        while let end = pending.firstRange(of: [0x0A, 0x0A]) ?? pending.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A]) {
            let event = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
            pending.removeFirst(end.upperBound)
            for line in event.split(whereSeparator: \.isNewline) where line.hasPrefix("data:") {
                translate(line.dropFirst(5).trimmingCharacters(in: .whitespaces), into: &output)
            }
        }
        return output
    }

    func finish() throws(GatewayError) -> ByteBuffer {
        guard !summary.finishReasons.isEmpty else { throw .invalidUpstreamResponse("the stream ended before a finishReason") }
        var tail = ByteBuffer()
        if includeUsage, let usage = summary.usage {
            tail.writeImmutableBuffer(OpenAIChat.chunk(id: summary.id ?? "", model: model, delta: [:], usage: usage, noChoices: true))
        }
        tail.writeImmutableBuffer(OpenAIChat.done)
        return tail
    }

    private mutating func translate(_ data: String, into output: inout ByteBuffer) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { return }
        let piece = GeminiResponseMapping.piece(object, firstCallIndex: toolCalls)
        if !started {
            started = true
            summary.id = piece.id.map { "chatcmpl-\($0)" } ?? "chatcmpl-gemini"
            model = piece.model ?? model
            summary.model = model
            output.writeImmutableBuffer(OpenAIChat.chunk(id: summary.id!, model: model, delta: ["role": "assistant", "content": ""]))
        }
        let id = summary.id ?? ""
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
        if let usage = piece.usage { summary.usage = usage }
        if let finish = piece.finishReason {
            let reason = toolCalls > 0 && finish == "stop" ? "tool_calls" : finish
            summary.finishReasons.append(reason)
            output.writeImmutableBuffer(OpenAIChat.chunk(id: id, model: model, delta: [:], finishReason: reason))
        }
    }
}
