/// What a `/v1/messages` client sends (Anthropic's request format), and the OpenAI chat body it becomes.
/// Decoding is strict: a field of the wrong type is a 400 naming it.
enum MessagesRequestWire {
    struct Request: Decodable, Sendable {
        var model: String?
        var maxTokens: IntegerParameter?
        var system: SystemPrompt?
        var messages: [Message]?
        var temperature: Double?
        var topP: Double?
        var topK: IntegerParameter?
        var stopSequences: [String]?
        var stream: Bool?
        var tools: [Tool]?
        var toolChoice: ToolChoice?

        enum CodingKeys: String, CodingKey {
            case model, system, messages, temperature, stream, tools
            case maxTokens = "max_tokens"
            case topP = "top_p"
            case topK = "top_k"
            case stopSequences = "stop_sequences"
            case toolChoice = "tool_choice"
        }
    }

    /// `system`: a string, or text blocks.
    enum SystemPrompt: Decodable, Sendable {
        case text(String)
        case blocks([Block])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .blocks(try container.decode([Block].self))
            }
        }

        var text: String {
            switch self {
            case .text(let text): text
            case .blocks(let blocks): blocks.compactMap(\.text).joined(separator: "\n")
            }
        }
    }

    struct Message: Decodable, Sendable {
        var role: String
        var content: Content
    }

    /// A message's (or a tool result's) content: a string, or content blocks.
    enum Content: Decodable, Sendable {
        case text(String)
        case blocks([Block])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .blocks(try container.decode([Block].self))
            }
        }
    }

    struct Block: Decodable, Sendable {
        var type: String
        var text: String?
        var source: ImageSource?
        var id: String?
        var name: String?
        var input: JSONValue?
        var toolUseID: String?
        var content: Content?

        enum CodingKeys: String, CodingKey {
            case type, text, source, id, name, input, content
            case toolUseID = "tool_use_id"
        }
    }

    struct ImageSource: Decodable, Sendable {
        var type: String
        var mediaType: String?
        var data: String?
        var url: String?

        enum CodingKeys: String, CodingKey {
            case type, data, url
            case mediaType = "media_type"
        }
    }

    struct Tool: Decodable, Sendable {
        var name: String
        var description: String?
        var inputSchema: JSONValue?

        enum CodingKeys: String, CodingKey {
            case name, description
            case inputSchema = "input_schema"
        }
    }

    struct ToolChoice: Decodable, Sendable {
        var type: String
        var name: String?
    }

    /// The OpenAI chat body the request becomes.
    struct ChatBody: Encodable, Sendable {
        struct StreamOptions: Encodable, Sendable { var include_usage = true }
        var model: String
        var messages: [ChatMessage]
        var max_tokens: Int
        var temperature: Double?
        var top_p: Double?
        var stop: [String]?
        var stream: Bool?
        var stream_options: StreamOptions?
        var tools: [ChatTool]?
        var tool_choice: JSONValue?
    }

    struct ChatMessage: Encodable, Sendable {
        var role: String
        /// A string, null (only tool calls), or OpenAI content parts.
        var content: JSONValue
        var toolCalls: [OpenAIChatWire.ToolCall]?
        var toolCallID: String?

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
            case toolCallID = "tool_call_id"
        }
    }

    struct ChatTool: Encodable, Sendable {
        struct Function: Encodable, Sendable {
            var name: String
            var description: String
            var parameters: JSONValue
        }
        var type = "function"
        var function: Function
    }
}
