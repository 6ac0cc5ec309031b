import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL
import Telemetry

/// Keep-alive connections to one upstream origin for one provider, at most `maxConnections` of them.
///
/// A request takes the most recently used idle connection, or opens a new one while under the limit, or
/// waits in line (counted in `llm_upstream_connection_waiters`, and a warning at most once a minute) for
/// the next connection another request frees. A connection goes back to the pool when its response has
/// been read to the end, straight to the first waiter if there is one. The lock is held only to update
/// the counts and lists, never across an await or a network call.
final class ConnectionPool: Sendable {
    struct Settings: Sendable {
        var maxConnections: Int
        var maxIdle: Int
        var idleTimeout: TimeAmount
        var connectTimeout: TimeAmount
        /// How long a connection must have been free before it counts towards the surplus over `maxIdle`:
        /// one sweep's period, so only connections no request wanted since the previous sweep are closed.
        var calm: TimeAmount = .seconds(10)
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<PooledConnection, any Error>
    }

    private struct State {
        /// Free connections, most recently used last.
        var idle: [PooledConnection] = []
        /// Connections open or being opened.
        var open = 0
        var opening = 0
        var leased = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var lastQueueWarning: NIODeadline?
        var closed = false
        /// What this pool last added to the provider's gauges (in use, idle, opening, waiters).
        var published = ConnectionPoolMetrics.Counts()
    }

    /// What `acquire` decided under the lock.
    private enum Decision {
        case ready(PooledConnection)
        case connect
        case wait
    }

    let origin: UpstreamOrigin
    private let settings: Settings
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let metrics: ConnectionPoolMetrics
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let resolver: OriginResolver
    private let alive = PooledConnection.LiveCount()

    /// Connection objects of this pool still in memory; closed ones leave once their close is handled.
    var liveConnections: Int { alive.count.load(ordering: .relaxed) }

    init(
        origin: UpstreamOrigin,
        settings: Settings,
        group: any EventLoopGroup,
        tls: NIOSSLContext?,
        metrics: ConnectionPoolMetrics,
        logger: Logger
    ) {
        self.origin = origin
        self.resolver = OriginResolver(host: origin.host, port: origin.port)
        self.settings = settings
        self.group = group
        self.tls = tls
        self.metrics = metrics
        self.logger = logger
    }

    /// Sends `exchange` on a pooled connection; the connection returns to the pool when the response body
    /// has been read to its end (or is closed if the exchange fails or the reader gives up).
    /// An attempt that waited (in line, or for a new connection) notes it for its span.
    func execute(_ exchange: PooledExchange) async throws(GatewayError) -> UpstreamResponse {
        let started = ContinuousClock.now
        let (connection, wait) = try await acquire()
        let waited = ContinuousClock.now - started
        metrics.wait.observe(waited)
        if let wait { UpstreamTrace.attempt?.waits?.note(ConnectionWait(wait, duration: waited)) }
        return try await connection.execute(exchange)
    }

    /// Closes idle connections that have waited longer than the idle timeout, and the longest-idle ones
    /// beyond `maxIdle` among those free for at least `calm`. Done here, on a timer, rather than as
    /// connections come free, so a burst that frees many at once does not close connections the next burst
    /// would have to open again; and only connections that stayed free since the previous sweep count as
    /// surplus — under load, the ones a sweep finds free between two requests are still in use.
    func closeExpired(now: NIODeadline = .now()) {
        let expired = state.withLockedValue { state -> [PooledConnection] in
            // `idle` is oldest first: the calm connections are its head, and the surplus is taken from them.
            let calm = state.idle.prefix { $0.idleSince + settings.calm <= now }.count
            let surplus = min(calm, max(0, state.idle.count - settings.maxIdle))
            var expired = Array(state.idle.prefix(surplus))
            state.idle.removeFirst(surplus)
            expired += state.idle.filter { !$0.isReusable(now: now, idleTimeout: settings.idleTimeout) }
            state.idle.removeAll { !$0.isReusable(now: now, idleTimeout: settings.idleTimeout) }
            // `open` drops when each channel's close is reported.
            publish(&state)
            return expired
        }
        for connection in expired { connection.close() }
    }

    /// Closes every connection and fails every waiter; called once at shutdown.
    func close() {
        let (idle, waiters) = state.withLockedValue { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for connection in idle { connection.close() }
        for waiter in waiters { waiter.continuation.resume(throwing: GatewayError.unavailable("the gateway is shutting down")) }
    }

    /// A connection for the caller, and why it had to wait for it (nil: a free one was at hand).
    private func acquire() async throws(GatewayError) -> (PooledConnection, ConnectionWait.Reason?) {
        let now = NIODeadline.now()
        var stale: [PooledConnection] = []
        let decision = state.withLockedValue { state -> Decision in
            // Prefer a connection on the caller's own event loop (no thread switch), among the most recent few.
            if let local = state.idle.suffix(8).lastIndex(where: { $0.channel.eventLoop.inEventLoop }),
                state.idle[local].isReusable(now: now, idleTimeout: settings.idleTimeout)
            {
                let connection = state.idle.remove(at: local)
                lease(connection, in: &state)
                return .ready(connection)
            }
            while let connection = state.idle.popLast() {
                if connection.isReusable(now: now, idleTimeout: settings.idleTimeout) {
                    lease(connection, in: &state)
                    return .ready(connection)
                }
                stale.append(connection)
            }
            guard state.open < settings.maxConnections else { return .wait }
            state.open += 1
            state.opening += 1
            publish(&state)
            return .connect
        }
        for connection in stale { connection.close() }
        switch decision {
        case .ready(let connection): return (connection, nil)
        // `any()` is the caller's own event loop when it runs on one of the group's.
        case .connect: return (try await connect(on: group.any()), .connected)
        case .wait: return (try await waitForConnection(), .queued)
        }
    }

    /// Opens a connection for the caller, already leased to it. Counted in `open` and `opening` by the caller.
    private func connect(on eventLoop: any EventLoop) async throws(GatewayError) -> PooledConnection {
        let connection: PooledConnection
        do {
            connection = try await PooledConnection.connect(
                to: origin,
                through: resolver,
                on: eventLoop,
                connectTimeout: settings.connectTimeout,
                tls: tls,
                alive: alive,
                onIdle: { [self] in release($0) }
            )
        } catch {
            let stranded = state.withLockedValue { state -> [Waiter] in
                state.open -= 1
                state.opening -= 1
                // With no connection left to free up, waiters would wait for nothing: they share the failure.
                guard state.open == 0 else {
                    publish(&state)
                    return []
                }
                defer {
                    state.waiters = []
                    publish(&state)
                }
                return state.waiters
            }
            for waiter in stranded { waiter.continuation.resume(throwing: error) }
            throw error
        }
        metrics.opened.increment()
        state.withLockedValue { state in
            state.opening -= 1
            lease(connection, in: &state)
        }
        connection.channel.closeFuture.whenComplete { [self] _ in closed(connection) }
        return connection
    }

    /// Waits for a connection another request frees, or for room to open one.
    private func waitForConnection() async throws(GatewayError) -> PooledConnection {
        let id = state.withLockedValue { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PooledConnection, any Error>) in
                    enum Outcome {
                        case ready(PooledConnection)
                        case queued(warnWaiting: Int?)
                        case closed
                    }
                    let now = NIODeadline.now()
                    let outcome = state.withLockedValue { state -> Outcome in
                        if state.closed { return .closed }
                        // A connection may have come free since `acquire` looked.
                        if let connection = state.idle.popLast(), connection.isReusable(now: now, idleTimeout: settings.idleTimeout) {
                            lease(connection, in: &state)
                            return .ready(connection)
                        }
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                        publish(&state)
                        guard state.lastQueueWarning.map({ now - $0 > .seconds(60) }) ?? true else { return .queued(warnWaiting: nil) }
                        state.lastQueueWarning = now
                        return .queued(warnWaiting: state.waiters.count)
                    }
                    switch outcome {
                    case .ready(let connection):
                        continuation.resume(returning: connection)
                    case .closed:
                        continuation.resume(throwing: GatewayError.unavailable("the gateway is shutting down"))
                    case .queued(let waiting?):
                        logger.warning(
                            "provider's connection pool is full; requests wait for a free connection",
                            metadata: [
                                "provider": "\(metrics.provider)", "waiting": "\(waiting)",
                                "max_connections_per_provider": "\(settings.maxConnections)",
                            ]
                        )
                    case .queued(nil):
                        break
                    }
                }
            } onCancel: {
                let waiter = state.withLockedValue { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    defer { publish(&state) }
                    return state.waiters.remove(at: index)
                }
                waiter?.continuation.resume(throwing: CancellationError())
            }
        } catch {
            throw UpstreamErrors.transport(error)
        }
    }

    /// An exchange ended and left its connection reusable: to the first waiter, or back to the idle list.
    private func release(_ connection: PooledConnection) {
        let waiter = state.withLockedValue { state -> Waiter? in
            connection.leased = false
            state.leased -= 1
            if state.closed {
                connection.close()
                return nil
            }
            if !state.waiters.isEmpty {
                lease(connection, in: &state)
                return state.waiters.removeFirst()
            }
            connection.idleSince = .now()
            state.idle.append(connection)
            publish(&state)
            return nil
        }
        waiter?.continuation.resume(returning: connection)
    }

    /// A connection's channel closed (by either side): it leaves the counts, and a waiter gets a new one.
    private func closed(_ connection: PooledConnection) {
        let waiter = state.withLockedValue { state -> Waiter? in
            if connection.leased {
                connection.leased = false
                state.leased -= 1
            } else {
                state.idle.removeAll { $0 === connection }
            }
            state.open -= 1
            guard !state.closed, !state.waiters.isEmpty, state.open < settings.maxConnections else {
                publish(&state)
                return nil
            }
            state.open += 1
            state.opening += 1
            publish(&state)
            return state.waiters.removeFirst()
        }
        guard let waiter else { return }
        let eventLoop = group.any()
        Task {
            do {
                waiter.continuation.resume(returning: try await connect(on: eventLoop))
            } catch {
                waiter.continuation.resume(throwing: error)
            }
        }
    }

    private func lease(_ connection: PooledConnection, in state: inout State) {
        connection.leased = true
        state.leased += 1
        publish(&state)
    }

    private func publish(_ state: inout State) {
        let counts = ConnectionPoolMetrics.Counts(inUse: state.leased, idle: state.idle.count, opening: state.opening, waiters: state.waiters.count)
        metrics.add(counts, replacing: state.published)
        state.published = counts
    }
}
