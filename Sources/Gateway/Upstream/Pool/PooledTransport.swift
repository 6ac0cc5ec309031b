import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Telemetry

/// ``UpstreamTransport`` over keep-alive HTTP/1.1 connections that the gateway pools itself, one
/// ``ConnectionPool`` per origin of one provider (`connection_pool.max_connections_per_provider` each).
///
/// Built on SwiftNIO's HTTP/1.1 codec, TLS (NIOSSL, system trust roots, HTTP/1.1 by ALPN) for `https`
/// origins. The request's first-byte limit covers the response head and the first byte of its body (a
/// stream's first event), its total limit the whole exchange, and the provider's idle limit each silence
/// between body chunks, all enforced by a timer on the connection's event loop.
public final class PooledTransport: UpstreamTransport {
    private let provider: String
    private let settings: ConnectionPool.Settings
    private let idle: TimeAmount
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let metrics: ConnectionPoolMetrics
    private let logger: Logger
    private let pools = NIOLockedValueBox<[UpstreamOrigin: ConnectionPool]>([:])
    private let routes = NIOLockedValueBox<[String: (ConnectionPool, UpstreamOrigin, String)]>([:])
    private let sweep: NIOLockedValueBox<RepeatedTask?>

    /// - Parameter caFile: PEM certificates to trust for `https` origins instead of the system's.
    init(
        provider: String,
        pool: ConnectionPoolConfig,
        timeouts: UpstreamTimeouts,
        registry: MetricsRegistry,
        logger: Logger,
        caFile: String? = nil
    ) {
        self.provider = provider
        let idleTimeout = TimeAmount.nanoseconds(Int64(clamping: Duration.seconds(pool.idleTimeoutSeconds).nanosecondsClamped))
        // Often enough that idle connections beyond `max_idle_per_host` do not linger (at most 10 s once calm).
        let every = TimeAmount.nanoseconds(min(max(idleTimeout.nanoseconds / 2, 1_000_000_000), 10_000_000_000))
        self.settings = ConnectionPool.Settings(
            maxConnections: pool.maxConnectionsPerProvider,
            maxIdle: pool.maxIdlePerHost,
            idleTimeout: idleTimeout,
            connectTimeout: .nanoseconds(timeouts.connect.nanosecondsClamped),
            calm: every
        )
        self.idle = .nanoseconds(timeouts.idle.nanosecondsClamped)
        self.group = MultiThreadedEventLoopGroup.singleton
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.applicationProtocols = ["http/1.1"]
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.trustRoots = .file(caFile) }
        self.tls = try? NIOSSLContext(configuration: configuration)
        self.metrics = ConnectionPoolMetrics(provider: provider, registry: registry)
        self.logger = logger
        let pools = self.pools
        sweep = NIOLockedValueBox(
            group.next().scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
                for pool in pools.withLockedValue({ Array($0.values) }) { pool.closeExpired() }
            }
        )
    }

    public func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let (pool, origin, target) = try destination(of: request.url)
        var headers = request.headers
        if !headers.contains(name: "host") { headers.add(name: "host", value: origin.hostHeader) }
        headers.replaceOrAdd(name: "content-length", value: String(request.body.readableBytes))
        let now = NIODeadline.now()
        let exchange = PooledExchange(
            head: HTTPRequestHead(version: .http1_1, method: request.method, uri: target, headers: headers),
            body: request.body,
            limits: .init(
                firstByteDeadline: now + .nanoseconds(request.timeout.nanosecondsClamped),
                totalDeadline: now + .nanoseconds(request.totalTimeout.nanosecondsClamped),
                idle: idle
            )
        )
        return try await pool.execute(exchange)
    }

    /// Connection objects of every pool still in memory (see ``ConnectionPool/liveConnections``).
    var liveConnections: Int { pools.withLockedValue { $0.values.reduce(0) { $0 + $1.liveConnections } } }

    public func shutdown() async throws {
        sweep.withLockedValue { $0?.cancel() }
        for pool in pools.withLockedValue({ Array($0.values) }) { pool.close() }
    }

    /// The pool and request target for `url`, remembered per URL: a provider sends to a handful of URLs
    /// (operation × model at most), so the split is done once per URL, not per request.
    private func destination(of url: String) throws(GatewayError) -> (ConnectionPool, UpstreamOrigin, String) {
        if let known = routes.withLockedValue({ $0[url] }) { return known }
        guard let (origin, target) = UpstreamOrigin.split(url) else { throw GatewayError.upstreamUnreachable("unsupported upstream URL") }
        if origin.tls && tls == nil { throw GatewayError.upstreamUnreachable("TLS is unavailable") }
        let pool = pools.withLockedValue { pools in
            if let pool = pools[origin] { return pool }
            let pool = ConnectionPool(origin: origin, settings: settings, group: group, tls: tls, metrics: metrics, logger: logger)
            pools[origin] = pool
            return pool
        }
        routes.withLockedValue { routes in
            // Bounded, in case a provider's URLs carry something per request.
            if routes.count >= 256 { routes.removeAll() }
            routes[url] = (pool, origin, target)
        }
        return (pool, origin, target)
    }
}
