import Telemetry

/// The span recording of one request: the sink when the request is sampled and tracing is on, else nil
/// (then no span is built at all).
struct RequestTracing: Sendable {
    let sink: (any SpanSink)?
    let trace: TraceContext
    let startUnixNano: UInt64

    /// The SERVER span, submitted once the response is complete. Probes are not traced: a kubelet
    /// polling `/health/*` every few seconds would bury the requests in noise.
    func finishServerSpan(method: String, route: APIRoute, path: String, status: Int, scope: RequestScope, details: RequestOutcome.Details) {
        guard let sink, ![.health, .healthLive, .healthReady].contains(route) else { return }
        sink.submit(
            ServerSpan(
                trace: trace,
                startUnixNano: startUnixNano,
                method: method,
                route: route,
                path: path,
                status: status,
                scope: scope,
                details: details
            )
        )
    }

    /// Starts the CLIENT span of one upstream attempt; its context is what the upstream sees in `traceparent`.
    /// - Parameter reason: why this attempt exists when it is not the first (a retry or a failover).
    /// - Parameter outcome: where the connection pool notes the attempt's wait for a connection.
    func startAttempt(number: Int = 1, reason: AttemptReason? = nil, outcome: RequestOutcome) -> AttemptSpan {
        let waits = sink == nil ? nil : outcome
        // A wait noted for an earlier attempt that never reached its span is not this attempt's.
        _ = waits?.takeConnectionWait()
        return AttemptSpan(
            sink: sink,
            context: trace.child(),
            startUnixNano: WallClock.nowUnixNano(),
            waits: waits,
            number: number,
            reason: reason
        )
    }
}

/// The upstream attempt in progress, as the layers below the call see it: its trace context, which request
/// mappings send as `traceparent`, and where the connection pool notes a wait for a connection.
enum UpstreamTrace {
    struct Attempt: Sendable {
        var context: TraceContext
        /// The request's outcome, where a wait is noted; nil when the attempt's span is not recorded.
        var waits: RequestOutcome?
    }

    @TaskLocal static var attempt: Attempt?

    static var context: TraceContext? { attempt?.context }
}
