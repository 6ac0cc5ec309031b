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

    struct UsageMetadata: Decodable, Sendable {
        var promptTokenCount: Int?
        var candidatesTokenCount: Int?
    }
}
