import Foundation
import NIOCore
import NIOFoundationCompat

/// What the gateway needs to know of a `/v1/chat/completions` body to route and validate it.
///
/// The body itself travels on as the client's bytes: fields we do not model (tools, response_format,
/// vendor extensions) reach OpenAI-compatible upstreams unchanged.
public struct ChatCompletionRequest: Sendable {
    public var model: String
    public var stream: Bool
    /// `stream_options.include_usage`.
    public var includeUsage: Bool
    public var maxTokens: Int?
    public var messages: [ChatMessageHead]
    /// The client's body as received.
    public var body: ByteBuffer

    /// Decodes and validates `body`, or throws a 400 that says what is wrong.
    public init(body: ByteBuffer) throws(GatewayError) {
        let head = try RequestDecoding.decode(Head.self, from: body)
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
        if let maxTokens = head.max_completion_tokens ?? head.max_tokens, maxTokens < 1 {
            throw GatewayError.invalidRequest(message: "'max_tokens' must be at least 1.", param: "max_tokens")
        }
        self.model = model
        self.stream = head.stream ?? false
        self.includeUsage = head.stream_options?.include_usage ?? false
        self.maxTokens = head.max_completion_tokens ?? head.max_tokens
        self.messages = messages
        self.body = body
    }

    private struct Head: Decodable {
        struct StreamOptions: Decodable {
            var include_usage: Bool?
        }
        var model: String?
        var messages: [ChatMessageHead]?
        var stream: Bool?
        var stream_options: StreamOptions?
        var max_tokens: Int?
        var max_completion_tokens: Int?
    }
}

/// One chat message: its role, and its text where the content is text (used by the mock and token estimates).
public struct ChatMessageHead: Decodable, Sendable {
    static let roles: Set = ["system", "developer", "user", "assistant", "tool", "function"]

    public var role: String
    public var text: String

    private enum CodingKeys: String, CodingKey { case role, content }
    private struct Part: Decodable {
        var type: String?
        var text: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        if let text = try? container.decodeIfPresent(String.self, forKey: .content) {
            self.text = text
        } else if let parts = try? container.decodeIfPresent([Part].self, forKey: .content) {
            self.text = parts.compactMap(\.text).joined(separator: " ")
        } else {
            self.text = ""
        }
    }
}
