/// Bedrock Converse wire models for what the gateway reads: the Converse response, the ConverseStream
/// event payloads, and error bodies.
enum BedrockWire {
    struct ConverseResponse: Decodable, Sendable {
        struct Output: Decodable, Sendable { var message: Message }
        var output: Output
        var stopReason: String?
        var usage: Usage?
    }

    struct Message: Decodable, Sendable {
        var content: [ContentBlock]?
    }

    struct ContentBlock: Decodable, Sendable {
        var text: String?
        var toolUse: ToolUse?
    }

    struct ToolUse: Decodable, Sendable {
        var toolUseId: String
        var name: String
        var input: JSONValue?
    }

    struct Usage: Decodable, Sendable {
        var inputTokens: Int?
        var outputTokens: Int?
    }

    /// One ConverseStream event's payload; which fields are set depends on the event type.
    struct StreamEvent: Decodable, Sendable {
        var contentBlockIndex: Int?
        var start: BlockStart?
        var delta: BlockDelta?
        var stopReason: String?
        var usage: Usage?
    }

    struct BlockStart: Decodable, Sendable {
        struct ToolUseStart: Decodable, Sendable {
            var toolUseId: String
            var name: String
        }
        var toolUse: ToolUseStart?
    }

    struct BlockDelta: Decodable, Sendable {
        struct ToolUseDelta: Decodable, Sendable { var input: String }
        var text: String?
        var toolUse: ToolUseDelta?
    }

    /// `{"message": …}` (or `Message`) of an error body or exception event.
    struct ErrorBody: Decodable, Sendable {
        var message: String?
        var capitalMessage: String?

        enum CodingKeys: String, CodingKey {
            case message
            case capitalMessage = "Message"
        }

        var text: String? { message ?? capitalMessage }
    }
}
