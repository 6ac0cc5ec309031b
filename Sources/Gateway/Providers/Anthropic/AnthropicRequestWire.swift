/// The Anthropic Messages API request, both ways: what `/v1/messages` clients send (decoded strictly — a
/// field of the wrong type is a 400 naming it) and what the gateway sends to Anthropic (and builds Bedrock's
/// Converse request from).
enum AnthropicRequestWire {
    struct Request: Codable, Sendable {
        var model: String?
        var messages: [Message]
        var maxTokens: IntegerParameter?
        var stream: Bool?
        var system: TextOrBlocks?
        var temperature: Double?
        var topP: Double?
        var topK: IntegerParameter?
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

    struct Message: Codable, Sendable {
        var role: String
        var content: TextOrBlocks
    }

    typealias Block = AnthropicWire.Block
    typealias TextOrBlocks = AnthropicWire.TextOrBlocks
    typealias ImageSource = AnthropicWire.ImageSource

    struct Tool: Codable, Sendable {
        var name: String
        var description: String?
        var inputSchema: JSONValue?

        enum CodingKeys: String, CodingKey {
            case name, description
            case inputSchema = "input_schema"
        }
    }

    struct ToolChoice: Codable, Sendable {
        /// `auto`, `any`, `none` or `tool`.
        var type: String
        var name: String?
    }

    struct Metadata: Codable, Sendable {
        var userID: String?

        enum CodingKeys: String, CodingKey { case userID = "user_id" }
    }
}
