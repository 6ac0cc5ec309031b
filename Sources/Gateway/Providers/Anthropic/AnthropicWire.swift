/// Anthropic Messages API wire models for what the gateway reads: a whole `message`, the stream's events
/// and error bodies. Unknown fields are ignored; a known field of the wrong type fails the decode.
enum AnthropicWire {
    struct Message: Decodable, Sendable {
        var id: String
        var model: String?
        var content: [ContentBlock]
        var stopReason: String?
        var usage: Usage?

        enum CodingKeys: String, CodingKey {
            case id, model, content, usage
            case stopReason = "stop_reason"
        }
    }

    struct ContentBlock: Decodable, Sendable {
        var type: String
        var text: String?
        var id: String?
        var name: String?
        var input: JSONValue?
    }

    struct Usage: Decodable, Sendable {
        var inputTokens: Int?
        var outputTokens: Int?

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }

    /// The start of a stream: the message's id, model and input tokens.
    struct MessageStart: Decodable, Sendable {
        var id: String
        var model: String?
        var usage: Usage?
    }

    /// One stream event (`message_start`, `content_block_start`, `content_block_delta`, `message_delta`,
    /// `message_stop`, `ping`, `error`, …); which fields are set depends on `type`.
    struct StreamEvent: Decodable, Sendable {
        var type: String
        var message: MessageStart?
        var index: Int?
        var contentBlock: ContentBlock?
        var delta: Delta?
        var usage: Usage?
        var error: ErrorDetail?

        enum CodingKeys: String, CodingKey {
            case type, message, index, delta, usage, error
            case contentBlock = "content_block"
        }
    }

    struct Delta: Decodable, Sendable {
        var type: String?
        var text: String?
        var partialJSON: String?
        var stopReason: String?

        enum CodingKeys: String, CodingKey {
            case type, text
            case partialJSON = "partial_json"
            case stopReason = "stop_reason"
        }
    }

    struct ErrorDetail: Decodable, Sendable {
        var type: String?
        var message: String?
    }
}
