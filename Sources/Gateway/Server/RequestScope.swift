import HTTPTypes
import Logging
import NIOCore

/// What one request carries through the pipeline: its id, the client key's name, a logger.
struct RequestScope: Sendable {
    var requestID: String
    var clientName: String?
    var logger: Logger
    let start: ContinuousClock.Instant

    init(headers: HTTPFields, logger: Logger) {
        let incoming = headers[ResponseWriting.requestIDHeader].flatMap { $0.count <= 128 ? $0 : nil }
        self.requestID = incoming ?? Self.makeID()
        var logger = logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        self.logger = logger
        self.start = .now
    }

    /// 128 random bits as hex, the same width as a trace id.
    static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        let hex = String(high, radix: 16) + String(low, radix: 16)
        return String(repeating: "0", count: max(0, 32 - hex.count)) + hex
    }

    /// Headers every gateway response carries.
    func responseHeaders(provider: String? = nil) -> HTTPFields {
        var headers = HTTPFields()
        headers[ResponseWriting.requestIDHeader] = requestID
        if let provider {
            headers[GatewayHandler.providerHeader] = provider
        }
        return headers
    }
}
