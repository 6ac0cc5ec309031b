/// OpenAI's chat wire models: what translating adapters write (`chat.completion`, `chat.completion.chunk`)
/// and what the Anthropic ingress reads back. Fields OpenAI may omit are optional; a value of the wrong
/// type fails the whole decode.
enum OpenAIChatWire {
    /// A `chat.completion.chunk`.
    struct Chunk: Codable, Sendable {
        var id: String?
        var object: String? = "chat.completion.chunk"
        var created: Int?
        var model: String?
        var choices: [ChunkChoice]?
        var usage: TokenUsage?
    }

    struct ChunkChoice: Codable, Sendable {
        var index: Int?
        var delta: Delta?
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }

        init(index: Int = 0, delta: Delta, finishReason: String?) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            // OpenAI sends an explicit null until the last chunk; SDKs read the key.
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    /// What one chunk adds to the message.
    struct Delta: Codable, Sendable {
        var role: String?
        var content: String?
        var toolCalls: [ToolCallDelta]?

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }

        init(role: String? = nil, content: String? = nil, toolCalls: [ToolCallDelta]? = nil) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
        }

        /// The first chunk's delta.
        static let opening = Delta(role: "assistant", content: "")
        static let empty = Delta()
    }

    struct ToolCallDelta: Codable, Sendable {
        var index: Int?
        var id: String?
        var type: String?
        var function: FunctionDelta?

        /// The chunk that opens a tool call: id, name, and no arguments yet.
        static func opening(index: Int, id: String, name: String, arguments: String = "") -> ToolCallDelta {
            ToolCallDelta(index: index, id: id, type: "function", function: FunctionDelta(name: name, arguments: arguments))
        }

        /// A piece of a tool call's arguments.
        static func arguments(index: Int, _ arguments: String) -> ToolCallDelta {
            ToolCallDelta(index: index, function: FunctionDelta(arguments: arguments))
        }
    }

    struct FunctionDelta: Codable, Sendable {
        var name: String?
        var arguments: String?
    }

    /// A whole `chat.completion`.
    struct Completion: Codable, Sendable {
        var id: String?
        var object: String? = "chat.completion"
        var created: Int?
        var model: String?
        var choices: [CompletionChoice]
        var usage: TokenUsage?
    }

    struct CompletionChoice: Codable, Sendable {
        var index: Int?
        var message: Message
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }
    }

    struct Message: Codable, Sendable {
        var role: String?
        var content: String?
        var toolCalls: [ToolCall]?

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(role, forKey: .role)
            // Null content (an answer that is only tool calls) is sent as null, as OpenAI does.
            try container.encode(content, forKey: .content)
            try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        }
    }

    struct ToolCall: Codable, Sendable {
        var id: String
        var type: String = "function"
        var function: Function
    }

    struct Function: Codable, Sendable {
        var name: String
        var arguments: String
    }
}
