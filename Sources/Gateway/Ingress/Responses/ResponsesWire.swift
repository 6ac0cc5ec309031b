/// The Responses API's answer models the gateway writes: the `response` object, its output items, usage,
/// and the typed stream events. Optional fields left nil are left out (the SDKs read them as null).
enum ResponsesWire {
    struct Response: Encodable, Sendable {
        var id: String
        var object = "response"
        var createdAt: Int
        var status: String
        var error: ErrorInfo?
        var incompleteDetails: Incomplete?
        var instructions: String?
        var maxOutputTokens: Int?
        var metadata: [String: String]
        var model: String
        var output: [OutputItem]
        var parallelToolCalls: Bool
        var previousResponseID: String?
        var store: Bool
        var temperature: Double?
        var text: ResponsesRequestWire.TextConfig
        var toolChoice: JSONValue
        var tools: [ResponsesRequestWire.Tool]
        var topP: Double?
        var usage: Usage?
        var user: String?

        enum CodingKeys: String, CodingKey {
            case id, object, status, error, instructions, metadata, model, output, store, temperature, text, tools, usage, user
            case createdAt = "created_at"
            case incompleteDetails = "incomplete_details"
            case maxOutputTokens = "max_output_tokens"
            case parallelToolCalls = "parallel_tool_calls"
            case previousResponseID = "previous_response_id"
            case toolChoice = "tool_choice"
            case topP = "top_p"
        }

        /// A response to the request `echo` describes. `finishReason` (chat's) decides the status: `length`
        /// and `content_filter` leave it incomplete, as the Responses API reports them.
        init(id: String, createdAt: Int, model: String?, output: [OutputItem], finishReason: String?, usage: TokenUsage?, echo: ResponsesEcho) {
            self.id = id
            self.createdAt = createdAt
            switch finishReason {
            case "length": (status, incompleteDetails) = ("incomplete", Incomplete(reason: "max_output_tokens"))
            case "content_filter": (status, incompleteDetails) = ("incomplete", Incomplete(reason: "content_filter"))
            default: status = "completed"
            }
            instructions = echo.instructions
            maxOutputTokens = echo.maxOutputTokens
            metadata = echo.metadata
            self.model = model ?? echo.model
            self.output = output
            parallelToolCalls = echo.parallelToolCalls
            previousResponseID = echo.previousResponseID
            store = echo.store != nil
            temperature = echo.temperature
            text = echo.text
            toolChoice = echo.toolChoice
            tools = echo.tools
            topP = echo.topP
            self.usage = usage.map(Usage.init)
            user = echo.user
        }
    }

    /// An output item: an assistant `message` with `output_text` parts, or a `function_call`.
    struct OutputItem: Encodable, Sendable {
        var type: String
        var id: String
        var status: String
        var role: String?
        var content: [OutputText]?
        var callID: String?
        var name: String?
        var arguments: String?

        enum CodingKeys: String, CodingKey {
            case type, id, status, role, content, name, arguments
            case callID = "call_id"
        }

        static func message(id: String, text: String?, status: String = "completed") -> OutputItem {
            OutputItem(type: "message", id: id, status: status, role: "assistant", content: text.map { [OutputText(text: $0)] } ?? [])
        }

        static func functionCall(callID: String, name: String, arguments: String, status: String = "completed") -> OutputItem {
            OutputItem(type: "function_call", id: "fc_" + callID, status: status, callID: callID, name: name, arguments: arguments)
        }
    }

    struct OutputText: Encodable, Sendable {
        var type = "output_text"
        var text: String
        var annotations: [JSONValue] = []
    }

    /// Usage as the Responses API words it; cached and reasoning tokens are parts of the totals, as in chat.
    struct Usage: Encodable, Sendable {
        struct InputDetails: Encodable, Sendable {
            var cachedTokens: Int
            var cacheWriteTokens: Int

            enum CodingKeys: String, CodingKey {
                case cachedTokens = "cached_tokens"
                case cacheWriteTokens = "cache_write_tokens"
            }
        }

        struct OutputDetails: Encodable, Sendable {
            var reasoningTokens: Int

            enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
        }

        var inputTokens: Int
        var inputTokensDetails: InputDetails
        var outputTokens: Int
        var outputTokensDetails: OutputDetails
        var totalTokens: Int

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case inputTokensDetails = "input_tokens_details"
            case outputTokens = "output_tokens"
            case outputTokensDetails = "output_tokens_details"
            case totalTokens = "total_tokens"
        }

        init(_ usage: TokenUsage) {
            inputTokens = usage.promptTokens
            inputTokensDetails = InputDetails(cachedTokens: usage.cacheReadTokens, cacheWriteTokens: usage.cacheCreationTokens)
            outputTokens = usage.completionTokens
            outputTokensDetails = OutputDetails(reasoningTokens: usage.reasoningTokens)
            totalTokens = usage.totalTokens
        }
    }

    struct ErrorInfo: Encodable, Sendable {
        var code: String
        var message: String
    }

    struct Incomplete: Encodable, Sendable {
        var reason: String
    }

    /// One stream event; which fields are set depends on `type` (`response.created`, `response.output_text.delta`…).
    struct Event: Encodable, Sendable {
        var type: String
        var sequenceNumber: Int
        var response: Response?
        var outputIndex: Int?
        var item: OutputItem?
        var itemID: String?
        var contentIndex: Int?
        var part: OutputText?
        var delta: String?
        var text: String?
        var arguments: String?
        var logprobs: [JSONValue]?

        enum CodingKeys: String, CodingKey {
            case type, response, item, part, delta, text, arguments, logprobs
            case sequenceNumber = "sequence_number"
            case outputIndex = "output_index"
            case itemID = "item_id"
            case contentIndex = "content_index"
        }
    }
}
