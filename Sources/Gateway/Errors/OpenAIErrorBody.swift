import NIOCore

/// OpenAI's error envelope: `{"error":{"message","type","param","code"}}`.
struct OpenAIErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        var message: String
        var type: String
        var param: String?
        var code: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
            try container.encode(type, forKey: .type)
            // OpenAI sends explicit nulls; SDKs read these keys.
            try container.encode(param, forKey: .param)
            try container.encode(code, forKey: .code)
        }
    }

    var error: Detail

    /// - Parameters:
    ///   - requestID: appended to a sanitised message, so the client can quote what operators find in the logs.
    ///   - provider: named in messages about the upstream's failures.
    init(_ error: GatewayError, requestID: String? = nil, provider: String? = nil) {
        let message = Self.message(error, requestID: requestID, provider: provider)
        self.error = Detail(message: message, type: error.type, param: error.param, code: error.code)
    }

    /// The client's message: ``GatewayError/message(provider:)``, with the request id when it was sanitised.
    static func message(_ error: GatewayError, requestID: String?, provider: String? = nil) -> String {
        let message = error.message(provider: provider)
        guard error.isSanitized, let requestID else { return message }
        return "\(message) Request id: \(requestID)."
    }

    /// The JSON bytes of `error`'s body.
    static func json(for error: GatewayError, requestID: String? = nil, provider: String? = nil) -> ByteBuffer {
        WireJSON.encode(OpenAIErrorBody(error, requestID: requestID, provider: provider))
    }

    /// One SSE event carrying `error`, for failures after a stream has started.
    static func sseEvent(for error: GatewayError, requestID: String? = nil, provider: String? = nil) -> ByteBuffer {
        SSEWriter.event(json: OpenAIErrorBody(error, requestID: requestID, provider: provider))
    }
}
