import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One keep-alive HTTP/1.1 connection to an upstream origin, owned by a ``ConnectionPool``.
///
/// Its channel lives on one event loop; ``execute(_:)`` hops there once to start the exchange and once
/// more when the response head is in. The pool's bookkeeping fields are only touched under the pool's lock.
final class PooledConnection: @unchecked Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<ExchangeHandler>
    /// Pool state, guarded by the owning pool's lock.
    var leased = false
    var idleSince = NIODeadline.now()

    private let alive: LiveCount

    private init(channel: any Channel, handler: NIOLoopBound<ExchangeHandler>, alive: LiveCount) {
        self.channel = channel
        self.handler = handler
        self.alive = alive
        alive.count.add(1, ordering: .relaxed)
    }

    deinit {
        alive.count.subtract(1, ordering: .relaxed)
    }

    /// Counts a pool's connection objects still in memory (open, or closed and not yet released), so tests
    /// can tell that a closed connection is let go.
    final class LiveCount: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Opens a connection to `origin` (TLS when its scheme asks for it), at the address `resolver` knows for
    /// it, with `onIdle` called, on the connection's event loop, each time an exchange ends and the connection
    /// is free again.
    static func connect(
        to origin: UpstreamOrigin,
        through resolver: OriginResolver,
        on eventLoop: any EventLoop,
        connectTimeout: TimeAmount,
        tls: NIOSSLContext?,
        alive: LiveCount,
        onIdle: @escaping @Sendable (PooledConnection) -> Void
    ) async throws(GatewayError) -> PooledConnection {
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            // TCP_NODELAY is a TCP-level option: at the socket level its number is SO_DEBUG, which only a
            // process with CAP_NET_ADMIN may set — every connect failed as the deployment's non-root user.
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if origin.tls, let tls {
                        let serverName = origin.host.contains(":") || origin.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : origin.host
                        try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try sync.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes)
                    try sync.addHandler(ExchangeHandler())
                }
            }
        let channel: any Channel
        do {
            if let address = resolver.literal {
                channel = try await bootstrap.connect(to: address).get()
            } else {
                channel = try await bootstrap.resolver(resolver).connect(host: origin.host, port: origin.port).get()
            }
        } catch {
            if case ChannelError.connectTimeout = error { throw GatewayError.upstreamUnreachable("connect timeout") }
            throw GatewayError.upstreamUnreachable(String(describing: error))
        }
        do {
            return try await channel.eventLoop.submit {
                let handler = try channel.pipeline.syncOperations.handler(type: ExchangeHandler.self)
                let connection = PooledConnection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop), alive: alive)
                handler.onIdle = { onIdle(connection) }
                return connection
            }.get()
        } catch {
            channel.close(promise: nil)
            throw GatewayError.upstreamUnreachable(String(describing: error))
        }
    }

    /// Sends one request and waits for its response head; the body follows as the caller reads it.
    func execute(_ exchange: PooledExchange, isolation: isolated (any Actor)? = #isolation) async throws(GatewayError) -> UpstreamResponse {
        let handler = self.handler
        let promise = channel.eventLoop.makePromise(of: UpstreamResponse.self)
        let response = promise.futureResult
        channel.eventLoop.execute { handler.value.start(exchange, promise: promise) }
        do {
            // Waits for the head in the caller's isolation (the closure captures it): no hop to the generic
            // executor and back around the wait.
            return try await withTaskCancellationHandler {
                _ = isolation
                return try await withCheckedThrowingContinuation { continuation in
                    response.whenComplete { continuation.resume(with: $0) }
                }
            } onCancel: {
                handler.eventLoop.execute { handler.value.cancel(response) }
            }
        } catch {
            throw UpstreamErrors.transport(error)
        }
    }

    /// Whether the pool may hand this connection out again.
    func isReusable(now: NIODeadline, idleTimeout: TimeAmount) -> Bool {
        channel.isActive && now < idleSince + idleTimeout
    }

    func close() {
        channel.close(promise: nil)
    }
}
