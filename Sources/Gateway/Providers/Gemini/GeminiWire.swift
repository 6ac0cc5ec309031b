/// Gemini `GenerateContentResponse` wire model (the whole answer and each `alt=sse` event have this shape).
enum GeminiWire {
    struct Response: Decodable, Sendable {
        var responseId: String?
        var modelVersion: String?
        var candidates: [Candidate]?
        var usageMetadata: UsageMetadata?
    }

    struct Candidate: Decodable, Sendable {
        var content: Content?
        var finishReason: String?
    }

    struct Content: Decodable, Sendable {
        var parts: [Part]?
    }

    struct Part: Decodable, Sendable {
        var text: String?
        /// A thinking model's thought summary: not part of the answer.
        var thought: Bool?
        var functionCall: FunctionCall?
    }

    struct FunctionCall: Decodable, Sendable {
        var name: String
        var args: JSONValue?
    }

    /// `promptTokenCount` includes the cached content's tokens; `thoughtsTokenCount` (thinking) is not part of
    /// `candidatesTokenCount`.
    struct UsageMetadata: Decodable, Sendable {
        var promptTokenCount: Int?
        var candidatesTokenCount: Int?
        var cachedContentTokenCount: Int?
        var thoughtsTokenCount: Int?

        /// The counts in OpenAI's terms: reasoning is part of the output.
        var tokenUsage: TokenUsage {
            let thoughts = min(max(0, thoughtsTokenCount ?? 0), TokenUsage.maximumCount)
            return TokenUsage(
                promptTokens: promptTokenCount ?? 0,
                completionTokens: min(max(0, candidatesTokenCount ?? 0), TokenUsage.maximumCount) + thoughts,
                cacheReadTokens: cachedContentTokenCount ?? 0,
                reasoningTokens: thoughts
            )
        }
    }
}
