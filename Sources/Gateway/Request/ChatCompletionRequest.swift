import Foundation
import NIOCore
import NIOFoundationCompat

/// What the gateway needs to know of a `/v1/chat/completions` body to route and validate it.
///
/// The body itself travels on as the client's bytes: fields we do not model (tools, response_format,
/// vendor extensions) reach OpenAI-compatible upstreams unchanged. A class: it is read-only once made,
/// and every step of a request holds it, so a copy is one reference.
public final class ChatCompletionRequest: Sendable {
    public let model: String
    public let stream: Bool
    /// `stream_options.include_usage`.
    public let includeUsage: Bool
    public let maxTokens: Int?
    public let messages: [ChatMessageHead]
    /// The client's body as received.
    public let body: ByteBuffer

    /// Decodes and validates `body` (every number against OpenAI's documented range, `max_tokens` against
    /// `limits`), or throws a 400 that names the parameter.
    public init(body: ByteBuffer, limits: RequestLimits = RequestLimits()) throws(GatewayError) {
        let head = try RequestDecoding.decode(Head.self, from: body, scan: Head.scan)
        let model = try RequestDecoding.requireModel(head.model)
        guard let messages = head.messages else {
            throw GatewayError.invalidRequest(message: "Missing required parameter: 'messages'.", param: "messages")
        }
        guard !messages.isEmpty else {
            throw GatewayError.invalidRequest(message: "'messages' must contain at least one message.", param: "messages")
        }
        for (index, message) in messages.enumerated() where !ChatMessageHead.roles.contains(message.role) {
            throw GatewayError.invalidRequest(
                message: "Invalid value for 'messages[\(index)].role': '\(message.role)'.",
                param: "messages[\(index)].role"
            )
        }
        try head.checkRanges(limits)
        self.model = model
        self.stream = head.stream ?? false
        self.includeUsage = head.stream_options?.include_usage ?? false
        self.maxTokens = (head.max_completion_tokens ?? head.max_tokens)?.value
        self.messages = messages
        self.body = body
    }

    struct Head: Decodable {
        struct StreamOptions: Decodable {
            var include_usage: Bool?
        }
        var model: String?
        var messages: [ChatMessageHead]?
        var stream: Bool?
        var stream_options: StreamOptions?
        var max_tokens: IntegerParameter?
        var max_completion_tokens: IntegerParameter?
        var temperature: Double?
        var top_p: Double?
        var n: IntegerParameter?
        var presence_penalty: Double?
        var frequency_penalty: Double?
        var top_logprobs: IntegerParameter?
        var logit_bias: [String: Double]?
        var stop: StopSequences?

        func checkRanges(_ limits: RequestLimits) throws(GatewayError) {
            try RequestLimits.check(max_tokens?.value, in: 1...limits.maxOutputTokens, param: "max_tokens")
            try RequestLimits.check(max_completion_tokens?.value, in: 1...limits.maxOutputTokens, param: "max_completion_tokens")
            try RequestLimits.check(temperature, in: 0...2, param: "temperature")
            try RequestLimits.check(top_p, in: 0...1, param: "top_p")
            try RequestLimits.check(n?.value, in: 1...RequestLimits.maxChoices, param: "n")
            try RequestLimits.check(presence_penalty, in: -2...2, param: "presence_penalty")
            try RequestLimits.check(frequency_penalty, in: -2...2, param: "frequency_penalty")
            try RequestLimits.check(top_logprobs?.value, in: 0...20, param: "top_logprobs")
            for bias in (logit_bias ?? [:]).values {
                try RequestLimits.check(bias, in: -100...100, param: "logit_bias")
            }
            try RequestLimits.check(stop?.count, in: 0...4, param: "stop")
        }
    }

    /// `stop`: one string or up to four.
    struct StopSequences: Decodable {
        var count: Int

        init(count: Int) {
            self.count = count
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                count = 0
            } else if (try? container.decode(String.self)) != nil {
                count = 1
            } else {
                count = try container.decode([String].self).count
            }
        }
    }
}

/// One chat message: its role, and its text where the content is text (used by the mock and token estimates).
public struct ChatMessageHead: Decodable, Sendable {
    static let roles: Set = ["system", "developer", "user", "assistant", "tool", "function"]

    public var role: String
    public var text: String

    private enum CodingKeys: String, CodingKey { case role, content }

    init(role: String, text: String) {
        self.role = role
        self.text = text
    }
    private struct Part: Decodable {
        var type: String?
        var text: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        // Content is a string, typed parts, or null (an assistant turn that only calls tools); anything else is a
        // 400 naming `messages[i].content`.
        if try !container.contains(.content) || container.decodeNil(forKey: .content) {
            self.text = ""
        } else if let text = try? container.decode(String.self, forKey: .content) {
            self.text = text
        } else {
            self.text = try container.decode([Part].self, forKey: .content).compactMap(\.text).joined(separator: " ")
        }
    }
}
