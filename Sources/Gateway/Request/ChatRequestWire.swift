/// The OpenAI chat request as translating adapters read it (Anthropic, Gemini, Bedrock): messages with text
/// and image parts, tool calls and tool results, tools, `tool_choice`, sampling and stop. Decoding is strict:
/// a field of a known name with the wrong type is a 400 naming it.
enum ChatRequestWire {
    struct Request: Decodable, Sendable {
        var messages: [Message]
        var maxTokens: IntegerParameter?
        var maxCompletionTokens: IntegerParameter?
        var temperature: Double?
        var topP: Double?
        /// Not OpenAI's, but clients of Anthropic and Gemini models send it.
        var topK: IntegerParameter?
        var n: IntegerParameter?
        var stop: Stop?
        var tools: [Tool]?
        var toolChoice: ToolChoice?
        var responseFormat: ResponseFormat?
        var user: String?

        enum CodingKeys: String, CodingKey {
            case messages, temperature, n, stop, tools, user
            case maxTokens = "max_tokens"
            case maxCompletionTokens = "max_completion_tokens"
            case topP = "top_p"
            case topK = "top_k"
            case toolChoice = "tool_choice"
            case responseFormat = "response_format"
        }

        /// `max_completion_tokens`, or the older `max_tokens`.
        var outputLimit: Int? { (maxCompletionTokens ?? maxTokens)?.value }
    }

    struct Message: Decodable, Sendable {
        var role: String
        var content: Content?
        var toolCalls: [ToolCall]?
        var toolCallID: String?

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
            case toolCallID = "tool_call_id"
        }

        /// The message's text: the string, or its text parts joined.
        var text: String {
            switch content {
            case .text(let text): text
            case .parts(let parts): parts.compactMap(\.text).joined()
            case nil: ""
            }
        }
    }

    /// A message's content: a string, or typed parts.
    enum Content: Decodable, Sendable {
        case text(String)
        case parts([Part])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .parts(try container.decode([Part].self))
            }
        }
    }

    struct Part: Decodable, Sendable {
        struct ImageURL: Decodable, Sendable { var url: String }
        var type: String
        var text: String?
        var imageURL: ImageURL?

        enum CodingKeys: String, CodingKey {
            case type, text
            case imageURL = "image_url"
        }
    }

    struct ToolCall: Decodable, Sendable {
        struct Function: Decodable, Sendable {
            var name: String?
            var arguments: String?
        }
        var id: String?
        var function: Function?

        /// The call's arguments as JSON (see ``JSONValue/toolArguments(_:)``).
        var input: JSONValue { JSONValue.toolArguments(function?.arguments ?? "{}") }
    }

    struct Tool: Decodable, Sendable {
        struct Function: Decodable, Sendable {
            var name: String
            var description: String?
            var parameters: JSONValue?
        }
        var function: Function?
    }

    /// `tool_choice`: a mode (`auto`, `required`, `none`), or one function by name.
    enum ToolChoice: Decodable, Sendable {
        case mode(String)
        case function(String)

        private struct Named: Decodable {
            struct Function: Decodable { var name: String }
            var function: Function
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let mode = try? container.decode(String.self) {
                self = .mode(mode)
            } else {
                self = .function(try container.decode(Named.self).function.name)
            }
        }
    }

    /// `stop`: one string or several.
    struct Stop: Decodable, Sendable {
        var sequences: [String]

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                sequences = [one]
            } else {
                sequences = try container.decode([String].self)
            }
        }
    }

    struct ResponseFormat: Decodable, Sendable {
        var type: String
    }

    /// `data:image/png;base64,…` as its media type and data; nil for any other URL.
    static func inlineImage(_ url: String) -> (mediaType: String, data: String)? {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), let semicolon = url.firstIndex(of: ";"), semicolon < comma else {
            return nil
        }
        return (String(url[url.index(url.startIndex, offsetBy: 5)..<semicolon]), String(url[url.index(after: comma)...]))
    }
}
