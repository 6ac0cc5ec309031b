import HTTPTypes
import NIOCore

/// Reads a request body whole, refusing it with 413 as soon as it passes the configured limit
/// (before reading it all when `Content-Length` already says so).
struct RequestBodyReader: Sendable {
    let limit: Int

    func read(_ request: ServerRequest) async throws(GatewayError) -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw GatewayError.payloadTooLarge(limit: limit)
        }
        do {
            return try await request.body.collect()
        } catch is RequestBody.TooLarge {
            throw GatewayError.payloadTooLarge(limit: limit)
        } catch {
            throw GatewayError.cancelled
        }
    }
}
