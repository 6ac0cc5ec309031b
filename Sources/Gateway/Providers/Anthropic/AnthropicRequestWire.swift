/// The Anthropic Messages API request the gateway sends (and that Bedrock's Converse request is built from).
enum AnthropicRequestWire {
    struct Request: Encodable, Sendable {
        var model: String
        var messages: [Message]
        var maxTokens: Int
        var stream: Bool?
        var system: String?
        var temperature: Double?
        var topP: Double?
        var topK: Int?
        var stopSequences: [String]?
        var tools: [Tool]?
        var toolChoice: ToolChoice?
        var metadata: Metadata?

        enum CodingKeys: String, CodingKey {
            case model, messages, stream, system, temperature, tools, metadata
            case maxTokens = "max_tokens"
            case topP = "top_p"
            case topK = "top_k"
            case stopSequences = "stop_sequences"
            case toolChoice = "tool_choice"
        }
    }

    struct Message: Encodable, Sendable {
        var role: String
        var content: [Block]
    }

    /// A content block: text, image, tool use or tool result (the fields of its `type` are set).
    struct Block: Encodable, Sendable {
        var type: String
        var text: String?
        var source: ImageSource?
        var id: String?
        var name: String?
        var input: JSONValue?
        var toolUseID: String?
        var content: String?

        enum CodingKeys: String, CodingKey {
            case type, text, source, id, name, input, content
            case toolUseID = "tool_use_id"
        }

        static func text(_ text: String) -> Block { Block(type: "text", text: text) }
        static func image(_ source: ImageSource) -> Block { Block(type: "image", source: source) }
        static func toolUse(id: String, name: String, input: JSONValue) -> Block { Block(type: "tool_use", id: id, name: name, input: input) }
        static func toolResult(id: String, content: String) -> Block { Block(type: "tool_result", toolUseID: id, content: content) }
    }

    struct ImageSource: Encodable, Sendable {
        var type: String
        var mediaType: String?
        var data: String?
        var url: String?

        enum CodingKeys: String, CodingKey {
            case type, data, url
            case mediaType = "media_type"
        }
    }

    struct Tool: Encodable, Sendable {
        var name: String
        var description: String?
        var inputSchema: JSONValue

        enum CodingKeys: String, CodingKey {
            case name, description
            case inputSchema = "input_schema"
        }
    }

    struct ToolChoice: Encodable, Sendable {
        /// `auto`, `any`, `none` or `tool`.
        var type: String
        var name: String?
    }

    struct Metadata: Encodable, Sendable {
        var userID: String

        enum CodingKeys: String, CodingKey { case userID = "user_id" }
    }
}
