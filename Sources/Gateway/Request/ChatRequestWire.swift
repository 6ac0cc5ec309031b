/// The OpenAI chat request, both ways: what translating adapters read from a client's body (Anthropic,
/// Gemini, Bedrock) and what the `/v1/messages` ingress writes for the pipeline. Decoding is strict: a
/// field of a known name with the wrong type is a 400 naming it. Fields the gateway does not model are not
/// kept here (OpenAI-compatible upstreams get the client's own bytes).
enum ChatRequestWire {
    struct Request: Codable, Sendable {
        var model: String?
        var messages: [Message]
        var maxTokens: IntegerParameter?
        var maxCompletionTokens: IntegerParameter?
        var temperature: Double?
        var topP: Double?
        /// Not OpenAI's, but clients of Anthropic and Gemini models send it.
        var topK: IntegerParameter?
        var n: IntegerParameter?
        var stop: Stop?
        var stream: Bool?
        var streamOptions: StreamOptions?
        var tools: [Tool]?
        var toolChoice: ToolChoice?
        var responseFormat: ResponseFormat?
        var user: String?

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature, n, stop, stream, tools, user
            case maxTokens = "max_tokens"
            case maxCompletionTokens = "max_completion_tokens"
            case topP = "top_p"
            case topK = "top_k"
            case streamOptions = "stream_options"
            case toolChoice = "tool_choice"
            case responseFormat = "response_format"
        }

        /// `max_completion_tokens`, or the older `max_tokens`.
        var outputLimit: Int? { (maxCompletionTokens ?? maxTokens)?.value }
    }

    struct StreamOptions: Codable, Sendable {
        var includeUsage: Bool?

        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    struct Message: Codable, Sendable {
        var role: String
        /// Nil (or null) for an assistant turn that only calls tools.
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
            case .list(let parts): parts.compactMap(\.text).joined()
            case nil: ""
            }
        }
    }

    /// A message's content: a string, or typed parts.
    typealias Content = TextOrList<Part>

    struct Part: Codable, Sendable {
        struct ImageURL: Codable, Sendable { var url: String }
        var type: String
        var text: String?
        var imageURL: ImageURL?

        enum CodingKeys: String, CodingKey {
            case type, text
            case imageURL = "image_url"
        }

        static func text(_ text: String) -> Part { Part(type: "text", text: text) }
        static func image(url: String) -> Part { Part(type: "image_url", imageURL: ImageURL(url: url)) }
    }

    struct ToolCall: Codable, Sendable {
        struct Function: Codable, Sendable {
            var name: String?
            var arguments: String?
        }
        var id: String?
        var type: String?
        var function: Function?

        /// The call's arguments as JSON (see ``JSONValue/toolArguments(_:)``).
        var input: JSONValue { JSONValue.toolArguments(function?.arguments ?? "{}") }
    }

    struct Tool: Codable, Sendable {
        struct Function: Codable, Sendable {
            var name: String
            var description: String?
            var parameters: JSONValue?
        }
        var type: String?
        var function: Function?
    }

    /// `tool_choice`: a mode (`auto`, `required`, `none`), or one function by name.
    enum ToolChoice: Codable, Sendable {
        case mode(String)
        case function(String)

        private struct Named: Codable {
            struct Function: Codable { var name: String }
            var type: String?
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

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .mode(let mode): try container.encode(mode)
            case .function(let name): try container.encode(Named(type: "function", function: .init(name: name)))
            }
        }
    }

    /// `stop`: one string or several.
    struct Stop: Codable, Sendable {
        var sequences: [String]

        init(_ sequences: [String]) {
            self.sequences = sequences
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                sequences = [one]
            } else {
                sequences = try container.decode([String].self)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(sequences)
        }
    }

    /// `response_format`: `text`, `json_object`, or `json_schema` with its `{name, schema, strict}`.
    struct ResponseFormat: Codable, Sendable {
        var type: String
        var jsonSchema: JSONValue?

        enum CodingKeys: String, CodingKey {
            case type
            case jsonSchema = "json_schema"
        }
    }

    /// `data:image/png;base64,…` as its media type and data; nil for any other URL.
    static func inlineImage(_ url: String) -> (mediaType: String, data: String)? {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), let semicolon = url.firstIndex(of: ";"), semicolon < comma else {
            return nil
        }
        return (String(url[url.index(url.startIndex, offsetBy: 5)..<semicolon]), String(url[url.index(after: comma)...]))
    }
}
