import Foundation
import NIOCore
import NIOFoundationCompat

/// Reads answers of OpenAI-compatible servers: successful bodies pass through, error bodies become
/// errors through ``UpstreamErrors``.
enum OpenAIResponseMapping {
    /// The most of an upstream body the gateway will hold in memory.
    static let maxBodyBytes = 64 * 1024 * 1024

    static func reply(from response: UpstreamResponse) async throws(GatewayError) -> ProviderReply {
        let body = try await collect(response.body)
        guard (200..<300).contains(response.status) else {
            throw UpstreamErrors.from(status: response.status, body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        guard isJSONObject(body) else { throw GatewayError.invalidUpstreamResponse("expected a JSON object") }
        let summary = try WireJSON.decode(ResponseSummary.self, from: body, expected: "a chat.completion")
        return ProviderReply(body: body, summary: summary)
    }

    /// Fails with the upstream's error when the stream was refused; otherwise hands the body on.
    static func stream(from response: UpstreamResponse) async throws(GatewayError) -> UpstreamBody {
        guard (200..<300).contains(response.status) else {
            let body = try await collect(response.body)
            throw UpstreamErrors.from(status: response.status, body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        return response.body
    }

    static func collect(_ body: UpstreamBody) async throws(GatewayError) -> ByteBuffer {
        do {
            return try await body.collect(upTo: maxBodyBytes)
        } catch let error as GatewayError {
            throw error
        } catch {
            throw UpstreamErrors.transport(error)
        }
    }

    private static func isJSONObject(_ body: ByteBuffer) -> Bool {
        body.readableBytesView.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) == UInt8(ascii: "{")
    }
}
