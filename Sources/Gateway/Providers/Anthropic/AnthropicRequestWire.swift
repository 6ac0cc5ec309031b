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

    /// A string, or content blocks: a message's content, `system`, a tool result's content.
    enum TextOrBlocks: Codable, Sendable {
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

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .blocks(let blocks): try container.encode(blocks)
            }
        }

        /// The text: the string, or the text blocks joined with `separator`.
        func text(separator: String) -> String {
            switch self {
            case .text(let text): text
            case .blocks(let blocks): blocks.compactMap(\.text).joined(separator: separator)
            }
        }

        /// The content as blocks (a string is one text block).
        var blocks: [Block] {
            switch self {
            case .text(let text): [.text(text)]
            case .blocks(let blocks): blocks
            }
        }
    }

    /// A content block: text, image, tool use or tool result (the fields of its `type` are set).
    struct Block: Codable, Sendable {
        var type: String
        var text: String?
        var source: ImageSource?
        var id: String?
        var name: String?
        var input: JSONValue?
        var toolUseID: String?
        var content: TextOrBlocks?

        enum CodingKeys: String, CodingKey {
            case type, text, source, id, name, input, content
            case toolUseID = "tool_use_id"
        }

        static func text(_ text: String) -> Block { Block(type: "text", text: text) }
        static func image(_ source: ImageSource) -> Block { Block(type: "image", source: source) }
        static func toolUse(id: String, name: String, input: JSONValue) -> Block { Block(type: "tool_use", id: id, name: name, input: input) }
        static func toolResult(id: String, content: String) -> Block { Block(type: "tool_result", toolUseID: id, content: .text(content)) }
    }

    struct ImageSource: Codable, Sendable {
        var type: String
        var mediaType: String?
        var data: String?
        var url: String?

        enum CodingKeys: String, CodingKey {
            case type, data, url
            case mediaType = "media_type"
        }
    }

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
