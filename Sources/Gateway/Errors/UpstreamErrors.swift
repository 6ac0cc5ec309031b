import Foundation
import NIOCore

/// Translates what goes wrong upstream into ``GatewayError``: an error status and its body (every
/// provider's envelope: OpenAI's and Anthropic's `{"error":{"message","type","code"}}`, Gemini's numeric
/// `code`, Bedrock's `{"message"}`), and transport failures. The one place upstream failures get their
/// status: 401/403 become ``GatewayError/upstreamAuth(status:detail:)``; texts are cut to
/// ``maxMessageBytes`` before anything (the redactor, a log line) reads them.
enum UpstreamErrors {
    /// The most of an upstream's error text the gateway keeps.
    static let maxMessageBytes = 1024

    static func from(status: Int, body: ByteBuffer, retryAfter: String?) -> GatewayError {
        make(status: status, envelope: envelope(of: body.readableBytesView), retryAfter: retryAfter)
    }

    /// An error event inside a stream (`data: {"error":{…}}`), which has no HTTP status of its own: 429 when
    /// it says it is a rate limit, 500 otherwise.
    static func streamEvent(_ payload: [UInt8]) -> GatewayError {
        let envelope = envelope(of: payload)
        let rateLimited = envelope?.error?.type == "rate_limit_error" || envelope?.error?.code?.text == "rate_limit_exceeded"
        return make(status: rateLimited ? 429 : 500, envelope: envelope, retryAfter: nil)
    }

    /// The text of an error body in any provider's envelope (cut to ``maxMessageBytes``), when it has one.
    static func message(in body: some Collection<UInt8>) -> String? {
        envelope(of: body)?.text.map(truncated)
    }

    /// The body as an error envelope; a body that is not one still reports its status, so nil is no failure.
    private static func envelope(of body: some Collection<UInt8>) -> Envelope? {
        try? WireJSON.decode(Envelope.self, from: body, expected: "an error body")
    }

    private static func make(status: Int, envelope: Envelope?, retryAfter: String?) -> GatewayError {
        let message = truncated(envelope?.text ?? "Upstream returned HTTP \(status).")
        if status == 401 || status == 403 {
            return .upstreamAuth(status: status, detail: message)
        }
        return .upstreamStatus(
            status: status,
            message: message,
            type: envelope?.error?.type.map(truncated),
            code: envelope?.error?.code.map { truncated($0.text) },
            retryAfter: retryAfter.map(normalizedRetryAfter)
        )
    }

    /// `Retry-After` as whole seconds within a day when it is a number (`1e300` becomes `86400`, `0.2` becomes
    /// `1`); an HTTP date is kept as sent (cut to length), anything else dropped to "1".
    static func normalizedRetryAfter(_ value: String) -> String {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text) {
            return String(Int(clamping: seconds.rounded(.up), to: 0...UpstreamAttempts.retryAfterCeiling))
        }
        return text.contains(",") && text.utf8.count <= 64 ? text : "1"
    }

    /// A transport failure (NIO's, a cancellation) as a ``GatewayError``; the detail
    /// stays in ``GatewayError/logDetail``, clients never see the upstream's address.
    static func transport(_ error: any Error) -> GatewayError {
        if let error = error as? GatewayError { return error }
        if error is CancellationError { return .cancelled }
        return .upstreamUnreachable(String(describing: error))
    }

    static func truncated(_ text: String) -> String {
        guard text.utf8.count > maxMessageBytes else { return text }
        return String(decoding: text.utf8.prefix(maxMessageBytes), as: UTF8.self) + "…"
    }

    private struct Envelope: Decodable {
        struct Detail: Decodable {
            var message: String?
            var type: String?
            var code: Code?
        }
        var error: Detail?
        var message: String?
        var capitalMessage: String?

        enum CodingKeys: String, CodingKey {
            case error, message
            case capitalMessage = "Message"
        }

        /// OpenAI's, Anthropic's and Gemini's `error.message`, or Bedrock's `message` / `Message`.
        var text: String? { error?.message ?? message ?? capitalMessage }
    }

    /// `code` is a string at OpenAI, a number at Gemini and some compatible servers.
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
