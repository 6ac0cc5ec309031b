import HTTPTypes
import Logging
import NIOCore
import Synchronization
import Telemetry

/// What one request carries through the pipeline: its id, trace context, client key name, logger,
/// and the outcome the handler records metrics from.
///
/// Passed by value through every step; what is fixed at the start lives in one shared object, so a copy
/// costs one reference instead of a dozen strings and boxes.
struct RequestScope: Sendable {
    static let traceparentHeader = HTTPField.Name("traceparent")!
    static let tracestateHeader = HTTPField.Name("tracestate")!

    /// What the request starts with and keeps.
    final class Fixed: Sendable {
        let requestID: String
        /// The gateway's logger, without the request's ids (``RequestScope/logger`` adds them when asked).
        let baseLogger: Logger
        let outcome = RequestOutcome()
        let start: ContinuousClock.Instant
        let includeContent: Bool
        let tracing: RequestTracing

        init(requestID: String, logger: Logger, start: ContinuousClock.Instant, includeContent: Bool, tracing: RequestTracing) {
            self.requestID = requestID
            self.baseLogger = logger
            self.start = start
            self.includeContent = includeContent
            self.tracing = tracing
        }
    }

    let fixed: Fixed
    /// The client key that authenticated the request; nil when auth is off.
    var client: Authenticator.Client?
    var clientName: String? { client?.name }
    /// The name what the client stores is kept under: its key's, or `anonymous` when auth is off.
    var owner: String { client?.name ?? ClientKeys.anonymous }
    /// The client's position in ``ClientKeys`` (0, `anonymous`, when auth is off).
    var clientIndex: Int { client?.index ?? 0 }
    /// The API the client speaks (errors and answers are rendered in it).
    var dialect = ResponseDialect.openAI

    var requestID: String { fixed.requestID }

    /// A logger whose lines carry the request's `request_id`, `trace_id` and `span_id`. Built when a line is
    /// about to be logged (a warning, an error): most requests log only their access line, which takes the
    /// ids as fields instead of paying for a metadata dictionary on every request.
    var logger: Logger {
        var logger = fixed.baseLogger
        logger[metadataKey: "request_id"] = .string(requestID)
        logger[metadataKey: "trace_id"] = .string(trace.traceID.description)
        logger[metadataKey: "span_id"] = .string(trace.spanID.description)
        return logger
    }
    /// The request's trace context (the one its span recording carries).
    var trace: TraceContext { fixed.tracing.trace }
    var outcome: RequestOutcome { fixed.outcome }
    var start: ContinuousClock.Instant { fixed.start }
    /// `logging.include_content`: prompt and completion text go into the access line (redacted).
    var includeContent: Bool { fixed.includeContent }
    /// Span recording; its sink is nil when tracing is off or the trace is not sampled.
    var tracing: RequestTracing { fixed.tracing }

    init(headers: HTTPFields, logger: Logger, includeContent: Bool = false, spans: (any SpanSink)? = nil, sampler: TraceSampler = TraceSampler()) {
        let start = ContinuousClock.now
        let incoming = headers[ResponseWriting.requestIDHeader].flatMap { $0.count <= 128 ? $0 : nil }
        var trace = TraceContext.continuing(traceparent: headers[Self.traceparentHeader], tracestate: headers[Self.tracestateHeader])
        let sampled = spans != nil && sampler.shouldSample(trace)
        trace.sampled = sampled || (spans == nil && trace.sampled)
        let tracing = RequestTracing(sink: sampled ? spans : nil, trace: trace, startUnixNano: sampled ? WallClock.nowUnixNano() : 0)
        let requestID = incoming ?? trace.traceID.description
        fixed = Fixed(requestID: requestID, logger: logger, start: start, includeContent: includeContent, tracing: tracing)
    }

    /// Headers every gateway response carries.
    func responseHeaders(provider: String? = nil, attempts: Int? = nil) -> HTTPFields {
        // Appended, not assigned: every name is new to this set, and assigning would look for it first.
        var headers = HTTPFields()
        headers.reserveCapacity(12)
        headers.append(HTTPField(name: ResponseWriting.requestIDHeader, value: requestID))
        if let provider {
            headers.append(HTTPField(name: GatewayHandler.providerHeader, value: provider))
        }
        if let attempts {
            headers.append(HTTPField(name: GatewayHandler.attemptsHeader, value: String(attempts)))
        }
        let details = outcome.details
        if let verdict = details.rateLimit {
            headers.append(contentsOf: verdict.headers)
        }
        if let cache = details.cache {
            headers.append(HTTPField(name: ResponseCache.header, value: cache.rawValue))
        }
        if let cost = details.cost {
            headers.append(HTTPField(name: Self.costHeader, value: cost.decimal))
        }
        headers.append(HTTPField(name: Self.overheadHeader, value: Self.milliseconds(overhead)))
        return headers
    }

    static let overheadHeader = HTTPField.Name("x-llm-gateway-overhead-ms")!
    /// What a whole answer cost at the price table's prices, in USD (streams end after their headers).
    static let costHeader = HTTPField.Name("x-llm-gateway-cost-usd")!

    /// What the answer's usage cost on `route`, added to the client's cost series (nil without usage or a
    /// price). The caller keeps it in the outcome, where the access line, the answer header, the server span
    /// and the budget's settlement read it.
    func cost(of usage: TokenUsage?, route: Route) -> Nanodollars? {
        usage.flatMap { route.spend.record($0, price: route.price, client: clientIndex, upstreamModel: route.model) }
    }

    /// The gateway's own share of the request's time so far: elapsed time minus ``RequestOutcome/upstreamTime``.
    var overhead: Duration {
        max(.zero, (ContinuousClock.now - start) - outcome.upstreamTime)
    }

    /// `duration` in milliseconds with three decimals (`0.412`), without a formatter.
    static func milliseconds(_ duration: Duration) -> String {
        let micros = max(0, duration.nanosecondsClamped / 1000)
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

/// What happened to a request, filled in as it is answered; read once for metrics and the access line.
final class RequestOutcome: Sendable {
    /// What the access line reports besides status and duration.
    struct Details: Sendable {
        var provider: String?
        var model: String?
        var stream = false
        var usage: TokenUsage?
        /// What the usage cost; nil without usage or without a price.
        var cost: Nanodollars?
        var errorType: String?
        var attempts = 0
        var prompt: String?
        var completion: String?
        /// The rate-limit verdict the `x-ratelimit-*` headers report (the client key's, else the provider's).
        var rateLimit: RateLimiter.Verdict?
        /// How the request met the response cache; nil when the cache is off.
        var cache: ResponseCache.Result?
        /// Admissions whose token reservations are settled once usage is known.
        var reservations: [RateLimiter.Reservation] = []
        /// The budget reservation, settled with the request's cost once it is known.
        var budget: BudgetEnforcer.Reservation?
    }

    private let statusCode = Atomic<Int>(0)
    private let recorded = Mutex(Details())
    private let upstreamNanoseconds = Atomic<Int64>(0)
    private let connectionWait = Mutex<ConnectionWait?>(nil)

    /// The connection pool notes how long the attempt in progress waited for its connection.
    func note(_ wait: ConnectionWait) {
        connectionWait.withLock { $0 = wait }
    }

    /// The wait noted for the attempt in progress, if any, taken for its span (attempts run one at a time).
    func takeConnectionWait() -> ConnectionWait? {
        connectionWait.withLock { wait in
            defer { wait = nil }
            return wait
        }
    }

    /// Time spent on upstream attempts, the backoff between them and relaying a started stream.
    var upstreamTime: Duration { .nanoseconds(upstreamNanoseconds.load(ordering: .relaxed)) }

    func addUpstreamTime(_ duration: Duration) {
        upstreamNanoseconds.wrappingAdd(duration.nanosecondsClamped, ordering: .relaxed)
    }

    /// The status sent, or 0 while nothing was sent.
    var status: Int { statusCode.load(ordering: .relaxed) }
    var details: Details { recorded.withLock { $0 } }

    func record(status: Int) {
        statusCode.store(status, ordering: .relaxed)
    }

    func update(_ change: (inout Details) -> Void) {
        recorded.withLock { change(&$0) }
    }
}
