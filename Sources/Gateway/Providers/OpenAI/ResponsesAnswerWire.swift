/// What telemetry reads of a Responses API `response` object — a whole answer, or the `response` inside a
/// stream's lifecycle events (`response.created`, `response.completed`, …): its id, model, status and usage.
struct ResponsesAnswerWire: Decodable, Sendable {
    struct Usage: Decodable, Sendable {
        struct InputDetails: Decodable, Sendable {
            var cachedTokens: Int?
            enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
        }

        struct OutputDetails: Decodable, Sendable {
            var reasoningTokens: Int?
            enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
        }

        var inputTokens: Int?
        var outputTokens: Int?
        var inputTokensDetails: InputDetails?
        var outputTokensDetails: OutputDetails?

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case inputTokensDetails = "input_tokens_details"
            case outputTokensDetails = "output_tokens_details"
        }
    }

    struct Incomplete: Decodable, Sendable {
        var reason: String?
    }

    var id: String?
    var model: String?
    var status: String?
    var usage: Usage?
    var incompleteDetails: Incomplete?

    enum CodingKeys: String, CodingKey {
        case id, model, status, usage
        case incompleteDetails = "incomplete_details"
    }

    /// A stream event that carries a `response`.
    struct Event: Decodable, Sendable {
        var response: ResponsesAnswerWire
    }

    /// The summary in chat terms: `completed` is `stop`, `incomplete` for `max_output_tokens` is `length`.
    var summary: ResponseSummary {
        var reasons: [String] = []
        switch status {
        case "completed": reasons = ["stop"]
        case "incomplete": reasons = [incompleteDetails?.reason == "max_output_tokens" ? "length" : incompleteDetails?.reason ?? "incomplete"]
        default: break
        }
        let counts = usage.map {
            TokenUsage(
                promptTokens: $0.inputTokens ?? 0,
                completionTokens: $0.outputTokens ?? 0,
                cacheReadTokens: $0.inputTokensDetails?.cachedTokens ?? 0,
                reasoningTokens: $0.outputTokensDetails?.reasoningTokens ?? 0
            )
        }
        return ResponseSummary(id: id, model: model, finishReasons: reasons, usage: counts)
    }
}
