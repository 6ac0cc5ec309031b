import Telemetry

/// A request's SERVER span as it ended: what the request already held, kept as it is. Its attributes are
/// written only when the span is exported, on the exporters' encoding thread (``FinishedSpan``).
final class ServerSpan: FinishedSpan {
    private let trace: TraceContext
    private let startUnixNano: UInt64
    private let endUnixNano: UInt64
    private let method: String
    private let route: APIRoute
    private let path: String
    private let status: Int
    private let requestID: String
    private let client: String?
    private let cache: ResponseCache.Result?
    private let cost: Nanodollars?
    private let rateLimit: RateLimiter.Verdict?
    private let errorType: String?

    init(
        trace: TraceContext,
        startUnixNano: UInt64,
        method: String,
        route: APIRoute,
        path: String,
        status: Int,
        scope: RequestScope,
        details: RequestOutcome.Details
    ) {
        self.trace = trace
        self.startUnixNano = startUnixNano
        self.endUnixNano = WallClock.nowUnixNano()
        self.method = method
        self.route = route
        // Unknown paths are reported as "other": a client must not mint span attributes.
        self.path = route == .other ? "other" : path
        self.status = status
        self.requestID = scope.requestID
        self.client = scope.clientName
        self.cache = details.cache
        self.cost = details.cost
        self.rateLimit = details.rateLimit
        self.errorType = status >= 400 ? details.errorType : nil
    }

    var estimatedBytes: Int { 640 + path.utf8.count + requestID.utf8.count + (client?.utf8.count ?? 0) }

    func write<Writer: SpanWriter & ~Copyable>(to writer: inout Writer) {
        writer.beginSpan(
            SpanHeader(
                context: trace,
                name: route.spanName(method: method),
                kind: .server,
                startTimeUnixNano: startUnixNano,
                endTimeUnixNano: endUnixNano
            )
        )
        writer.attribute("http.request.method", method)
        writer.attribute("url.path", path)
        writer.attribute("url.scheme", "http")
        writer.attribute("http.response.status_code", status)
        writer.attribute("llm_gateway.request_id", requestID)
        if route != .other { writer.attribute("http.route", route.rawValue) }
        if let client { writer.attribute("llm_gateway.client", client) }
        if let cache { writer.attribute("llm_gateway.cache", cache.rawValue) }
        if let cost {
            // OpenTelemetry has no stable cost attribute yet: these are the names proposed for it.
            writer.attribute("gen_ai.usage.cost.amount", cost.usd)
            writer.attribute("gen_ai.usage.cost.currency", "USD")
        }
        if let rateLimit {
            writer.attribute("llm_gateway.rate_limit.scope", rateLimit.rule.scope)
            writer.attribute("llm_gateway.rate_limit.result", rateLimit.result)
        }
        if let errorType { writer.attribute("error.type", errorType) }
        writer.endSpan(status: status >= 500 ? .error("HTTP \(status)") : .unset)
    }
}
