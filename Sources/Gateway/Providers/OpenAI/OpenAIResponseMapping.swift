import Foundation
import NIOCore
import NIOFoundationCompat

/// Reads answers of OpenAI-compatible servers: successful bodies pass through, error bodies become
/// ``GatewayError/upstreamStatus(status:message:type:code:retryAfter:)`` keeping status and `Retry-After`.
enum OpenAIResponseMapping {
    /// The most of an upstream body the gateway will hold in memory.
    static let maxBodyBytes = 64 * 1024 * 1024

    static func reply(from response: UpstreamResponse) async throws(GatewayError) -> ProviderReply {
        let body = try await collect(response.body)
        guard (200..<300).contains(response.status) else {
            throw error(status: response.status, body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        guard isJSONObject(body), let summary = try? JSONDecoder().decode(ResponseSummary.self, from: body) else {
            throw GatewayError.invalidUpstreamResponse("expected a JSON object")
        }
        return ProviderReply(body: body, summary: summary)
    }

    /// Fails with the upstream's error when the stream was refused; otherwise hands the body on.
    static func stream(from response: UpstreamResponse) async throws(GatewayError) -> UpstreamBody {
        guard (200..<300).contains(response.status) else {
            let body = try await collect(response.body)
            throw error(status: response.status, body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        return response.body
    }

    static func error(status: Int, body: ByteBuffer, retryAfter: String?) -> GatewayError {
        let detail = try? JSONDecoder().decode(Envelope.self, from: Data(body.readableBytesView)).error
        let message = detail?.message ?? "Upstream returned HTTP \(status)."
        return .upstreamStatus(status: status, message: message, type: detail?.type, code: detail?.code?.text, retryAfter: retryAfter)
    }

    static func collect(_ body: UpstreamBody) async throws(GatewayError) -> ByteBuffer {
        do {
            return try await body.collect(upTo: maxBodyBytes)
        } catch let error as GatewayError {
            throw error
        } catch {
            throw HTTPClientTransport.translate(error)
        }
    }

    private static func isJSONObject(_ body: ByteBuffer) -> Bool {
        body.readableBytesView.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) == UInt8(ascii: "{")
    }

    private struct Envelope: Decodable {
        struct Detail: Decodable {
            var message: String?
            var type: String?
            var code: Code?
        }
        var error: Detail
    }

    /// `code` is a string at OpenAI, a number at some compatible servers.
    private struct Code: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else {
                text = String(try container.decode(Int.self))
            }
        }
    }
}
