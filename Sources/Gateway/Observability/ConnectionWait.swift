import Synchronization
import Telemetry

/// How long an upstream attempt waited for its pooled connection, when it did: in line behind the pool's
/// limit, or while a new connection was opened (and its TLS handshake made). An attempt handed a free
/// connection waited for nothing and notes nothing. Written as the `llm_gateway.connection_wait` event of
/// the attempt's CLIENT span, at the moment the wait began.
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

    func write<Writer: SpanWriter & ~Copyable>(to writer: inout Writer) {
        writer.beginEvent("llm_gateway.connection_wait", at: startUnixNano)
        writer.attribute("llm_gateway.connection_wait.reason", reason.rawValue)
        writer.attribute("llm_gateway.connection_wait.duration", duration.seconds)
        writer.endEvent()
    }
}

/// Where the pool notes an attempt's ``ConnectionWait`` for the attempt's span to read when it ends: one per
/// recorded attempt, found by the pool through ``UpstreamTrace/connectionWait``.
final class ConnectionWaitNote: Sendable {
    private let wait = Mutex<ConnectionWait?>(nil)

    var value: ConnectionWait? { wait.withLock { $0 } }

    /// Notes a wait of `duration` that ends now.
    func note(_ reason: ConnectionWait.Reason, duration: Duration) {
        let nanoseconds = UInt64(clamping: max(0, duration.nanosecondsClamped))
        let wait = ConnectionWait(reason: reason, startUnixNano: WallClock.nowUnixNano() &- nanoseconds, duration: duration)
        self.wait.withLock { $0 = wait }
    }
}
