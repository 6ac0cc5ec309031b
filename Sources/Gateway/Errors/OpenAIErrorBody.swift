import Foundation
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

    init(_ error: GatewayError) {
        self.error = Detail(message: error.message, type: error.type, param: error.param, code: error.code)
    }

    /// The JSON bytes of `error`'s body.
    static func json(for error: GatewayError) -> ByteBuffer {
        let data =
            (try? JSONEncoder().encode(OpenAIErrorBody(error)))
            ?? Data(#"{"error":{"message":"error","type":"api_error","param":null,"code":null}}"#.utf8)
        return ByteBuffer(bytes: data)
    }

    /// One SSE event carrying `error`, for failures after a stream has started.
    static func sseEvent(for error: GatewayError) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        var body = json(for: error)
        buffer.writeBuffer(&body)
        buffer.writeString("\n\n")
        return buffer
    }
}
