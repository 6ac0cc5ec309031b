import HTTPTypes
import Logging
import NIOCore
import Synchronization
import Telemetry

/// What one request carries through the pipeline: its id, trace context, client key name, logger,
/// and the outcome the handler records metrics from.
struct RequestScope: Sendable {
    static let traceparentHeader = HTTPField.Name("traceparent")!
    static let tracestateHeader = HTTPField.Name("tracestate")!

    var requestID: String
    var clientName: String?
    var logger: Logger
    let trace: TraceContext
    let outcome = RequestOutcome()
    let start: ContinuousClock.Instant

    init(headers: HTTPFields, logger: Logger) {
        start = .now
        let incoming = headers[ResponseWriting.requestIDHeader].flatMap { $0.count <= 128 ? $0 : nil }
        trace = TraceContext.continuing(traceparent: headers[Self.traceparentHeader], tracestate: headers[Self.tracestateHeader])
        requestID = incoming ?? trace.traceID
        var logger = logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        self.logger = logger
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

/// What happened to a request, filled in as it is answered.
final class RequestOutcome: Sendable {
    private let statusCode = Atomic<Int>(0)

    /// The status sent, or 0 while nothing was sent.
    var status: Int { statusCode.load(ordering: .relaxed) }

    func record(status: Int) {
        statusCode.store(status, ordering: .relaxed)
    }
}
