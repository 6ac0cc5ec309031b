/// Anthropic Messages API wire models for what the gateway writes to `/v1/messages` clients: the whole
/// `message`, the stream's events and error bodies.
enum MessagesWire {
    struct Message: Encodable, Sendable {
        var id: String
        var type = "message"
        var role = "assistant"
        var model: String
        var content: [ContentBlock]
        var stopReason: String?
        var usage: Usage

        enum CodingKeys: String, CodingKey {
            case id, type, role, model, content, usage
            case stopReason = "stop_reason"
            case stopSequence = "stop_sequence"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(type, forKey: .type)
            try container.encode(role, forKey: .role)
            try container.encode(model, forKey: .model)
            try container.encode(content, forKey: .content)
            // Anthropic sends both keys, null until known; the SDK reads them.
            try container.encode(stopReason, forKey: .stopReason)
            try container.encodeNil(forKey: .stopSequence)
            try container.encode(usage, forKey: .usage)
        }
    }

    struct ContentBlock: Encodable, Sendable {
        var type: String
        var text: String?
        var id: String?
        var name: String?
        var input: JSONValue?

        static func text(_ text: String) -> ContentBlock { ContentBlock(type: "text", text: text) }
        static func toolUse(id: String, name: String, input: JSONValue) -> ContentBlock {
            ContentBlock(type: "tool_use", id: id, name: name, input: input)
        }
    }

    struct Usage: Encodable, Sendable {
        var inputTokens: Int?
        var outputTokens: Int

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }

    struct MessageStart: Encodable, Sendable {
        var type = "message_start"
        var message: Message
    }

    struct BlockStart: Encodable, Sendable {
        var type = "content_block_start"
        var index: Int
        var contentBlock: ContentBlock

        enum CodingKeys: String, CodingKey {
            case type, index
            case contentBlock = "content_block"
        }
    }

    struct BlockDelta: Encodable, Sendable {
        struct Delta: Encodable, Sendable {
            var type: String
            var text: String?
            var partialJSON: String?

            enum CodingKeys: String, CodingKey {
                case type, text
                case partialJSON = "partial_json"
            }
        }
        var type = "content_block_delta"
        var index: Int
        var delta: Delta
    }

    struct BlockStop: Encodable, Sendable {
        var type = "content_block_stop"
        var index: Int
    }

    struct MessageDelta: Encodable, Sendable {
        struct Delta: Encodable, Sendable {
            var stopReason: String

            enum CodingKeys: String, CodingKey {
                case stopReason = "stop_reason"
                case stopSequence = "stop_sequence"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(stopReason, forKey: .stopReason)
                try container.encodeNil(forKey: .stopSequence)
            }
        }
        var type = "message_delta"
        var delta: Delta
        var usage: Usage
    }

    struct MessageStop: Encodable, Sendable {
        var type = "message_stop"
    }

    /// `{"type":"error","error":{"type","message"}}`.
    struct ErrorBody: Encodable, Sendable {
        struct Detail: Encodable, Sendable {
            var type: String
            var message: String
        }
        var type = "error"
        var error: Detail
    }
}
