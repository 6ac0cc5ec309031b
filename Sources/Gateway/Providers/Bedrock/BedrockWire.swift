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

    /// As Anthropic's: `inputTokens` leaves out what the prompt cache read and wrote.
    struct Usage: Decodable, Sendable {
        var inputTokens: Int?
        var outputTokens: Int?
        var cacheReadInputTokens: Int?
        var cacheWriteInputTokens: Int?

        /// The counts in OpenAI's terms (the prompt total includes the cache's tokens).
        var tokenUsage: TokenUsage {
            .separatingCache(
                uncachedInput: inputTokens ?? 0,
                cacheRead: cacheReadInputTokens ?? 0,
                cacheCreation: cacheWriteInputTokens ?? 0,
                output: outputTokens ?? 0
            )
        }
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
}

/// The Converse request the gateway sends.
enum BedrockRequestWire {
    struct Request: Encodable, Sendable {
        var messages: [Message]
        var system: [SystemBlock]?
        var inferenceConfig: InferenceConfig
        var toolConfig: ToolConfig?
    }

    struct Message: Encodable, Sendable {
        var role: String
        var content: [ContentBlock]
    }

    struct SystemBlock: Encodable, Sendable { var text: String }

    /// One content block: text, image, tool use or tool result.
    struct ContentBlock: Encodable, Sendable {
        struct Image: Encodable, Sendable {
            struct Source: Encodable, Sendable { var bytes: String }
            var format: String
            var source: Source
        }
        struct ToolUse: Encodable, Sendable {
            var toolUseId: String
            var name: String
            var input: JSONValue
        }
        struct ToolResult: Encodable, Sendable {
            var toolUseId: String
            var content: [SystemBlock]
        }
        var text: String?
        var image: Image?
        var toolUse: ToolUse?
        var toolResult: ToolResult?
    }

    struct InferenceConfig: Encodable, Sendable {
        var maxTokens: Int
        var temperature: Double?
        var topP: Double?
        var stopSequences: [String]?
    }

    struct ToolConfig: Encodable, Sendable {
        var tools: [Tool]
        var toolChoice: ToolChoice
    }

    struct Tool: Encodable, Sendable {
        struct Spec: Encodable, Sendable {
            struct Schema: Encodable, Sendable { var json: JSONValue }
            var name: String
            var description: String
            var inputSchema: Schema
        }
        var toolSpec: Spec
    }

    /// `{"auto":{}}`, `{"any":{}}` or `{"tool":{"name":…}}`.
    struct ToolChoice: Encodable, Sendable {
        struct Empty: Encodable, Sendable {}
        struct Named: Encodable, Sendable { var name: String }
        var auto: Empty?
        var any: Empty?
        var tool: Named?
    }
}
