/// The Gemini `generateContent` request the gateway sends.
enum GeminiRequestWire {
    struct Request: Encodable, Sendable {
        var contents: [Content]
        var systemInstruction: Content?
        var generationConfig: GenerationConfig?
        var tools: [Tool]?
        var toolConfig: ToolConfig?
    }

    struct Content: Encodable, Sendable {
        var role: String?
        var parts: [Part]
    }

    /// One part: text, inline or file data, a function call or a function response.
    struct Part: Encodable, Sendable {
        struct InlineData: Encodable, Sendable {
            var mimeType: String
            var data: String
        }
        struct FileData: Encodable, Sendable { var fileUri: String }
        struct FunctionCall: Encodable, Sendable {
            var name: String
            var args: JSONValue
        }
        struct FunctionResponse: Encodable, Sendable {
            var name: String
            var response: JSONValue
        }
        var text: String?
        var inlineData: InlineData?
        var fileData: FileData?
        var functionCall: FunctionCall?
        var functionResponse: FunctionResponse?
    }

    struct GenerationConfig: Encodable, Sendable {
        var maxOutputTokens: Int?
        var temperature: Double?
        var topP: Double?
        var topK: Int?
        var candidateCount: Int?
        var stopSequences: [String]?
        var responseMimeType: String?

        var isEmpty: Bool {
            maxOutputTokens == nil && temperature == nil && topP == nil && topK == nil && candidateCount == nil && stopSequences == nil
                && responseMimeType == nil
        }
    }

    struct Tool: Encodable, Sendable {
        var functionDeclarations: [FunctionDeclaration]
    }

    struct FunctionDeclaration: Encodable, Sendable {
        var name: String
        var description: String?
        var parameters: JSONValue?
    }

    struct ToolConfig: Encodable, Sendable {
        struct FunctionCallingConfig: Encodable, Sendable {
            /// `AUTO`, `ANY` or `NONE`.
            var mode: String
            var allowedFunctionNames: [String]?
        }
        var functionCallingConfig: FunctionCallingConfig
    }
}
