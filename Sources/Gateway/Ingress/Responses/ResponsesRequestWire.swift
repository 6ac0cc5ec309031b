/// What a `POST /v1/responses` body may hold, as OpenAI's Responses API defines it: the fields the gateway
/// translates. Unknown fields are ignored (as for chat); a field of the wrong type is a 400 naming it.
enum ResponsesRequestWire {
    struct Request: Decodable, Sendable {
        var model: String?
        var input: Input?
        var instructions: String?
        var tools: [Tool]?
        var toolChoice: JSONValue?
        var maxOutputTokens: IntegerParameter?
        var temperature: Double?
        var topP: Double?
        var text: TextConfig?
        var metadata: [String: String]?
        var stream: Bool?
        var store: Bool?
        var previousResponseID: String?
        var parallelToolCalls: Bool?
        var user: String?

        enum CodingKeys: String, CodingKey {
            case model, input, instructions, tools, temperature, text, metadata, stream, store, user
            case toolChoice = "tool_choice"
            case maxOutputTokens = "max_output_tokens"
            case topP = "top_p"
            case previousResponseID = "previous_response_id"
            case parallelToolCalls = "parallel_tool_calls"
        }
    }

    /// `input`: one user message as a string, or a list of items.
    typealias Input = TextOrList<Item>

    /// One input item: a message (`type` may be left out), a `function_call` the model made earlier, or the
    /// `function_call_output` that answers it. Which fields are set depends on `type`.
    struct Item: Decodable, Sendable {
        var type: String?
        var role: String?
        var content: Content?
        var callID: String?
        var name: String?
        var arguments: String?
        var output: Content?

        enum CodingKeys: String, CodingKey {
            case type, role, content, name, arguments, output
            case callID = "call_id"
        }
    }

    /// A message's content, or a function call's output: a string or a list of parts.
    typealias Content = TextOrList<Part>

    /// `input_text`, `output_text`, `input_image` (`image_url`), or a kind the gateway refuses (`input_file`…).
    struct Part: Decodable, Sendable {
        var type: String
        var text: String?
        var imageURL: String?

        enum CodingKeys: String, CodingKey {
            case type, text
            case imageURL = "image_url"
        }
    }

    /// A tool: `function` is translated; built-in tools (`web_search`, `file_search`, …) are refused.
    struct Tool: Codable, Sendable {
        var type: String
        var name: String?
        var description: String?
        var parameters: JSONValue?
        var strict: Bool?
    }

    /// `text`: the output format (`text`, `json_object`, or `json_schema` with its schema).
    struct TextConfig: Codable, Sendable {
        var format: Format?
    }

    struct Format: Codable, Sendable {
        var type: String
        var name: String?
        var description: String?
        var schema: JSONValue?
        var strict: Bool?
    }
}
