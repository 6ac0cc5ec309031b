import Telemetry

/// How long an upstream attempt waited for its pooled connection, when it did: in line behind the pool's
/// limit, or while a new connection was opened (and its TLS handshake made). An attempt handed a free
/// connection waited for nothing and notes nothing. Written as the `llm_gateway.connection_wait` event of
/// the attempt's CLIENT span, at the moment the wait began. The pool notes it in the request's
/// ``RequestOutcome`` (found through ``UpstreamTrace``, for recorded attempts only), and the attempt's span takes
/// it when the attempt ends.
struct ConnectionWait: Sendable {
    enum Reason: String, Sendable {
        /// The pool was at `max_connections_per_provider`: the attempt waited for another to free one.
        case queued
        /// The pool opened a new connection for the attempt.
        case connected
    }

    var reason: Reason
    var startUnixNano: UInt64
    var duration: Duration

    /// A wait of `duration` that ends now.
    init(_ reason: Reason, duration: Duration) {
        self.reason = reason
        self.duration = duration
        startUnixNano = WallClock.nowUnixNano() &- UInt64(clamping: max(0, duration.nanosecondsClamped))
    }

    func write<Writer: SpanWriter & ~Copyable>(to writer: inout Writer) {
        writer.beginEvent("llm_gateway.connection_wait", at: startUnixNano)
        writer.attribute("llm_gateway.connection_wait.reason", reason.rawValue)
        writer.attribute("llm_gateway.connection_wait.duration", duration.seconds)
        writer.endEvent()
    }
}
