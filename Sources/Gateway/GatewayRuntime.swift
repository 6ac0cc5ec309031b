import Logging
import NIOCore
import ServiceLifecycle
import Telemetry
import UnixSignals

/// Everything a running gateway is made of: the configuration generation requests run on (providers, routes,
/// keys, limits — swapped whole by a reload), what outlives a reload (metrics, Redis, the rate-limit and
/// budget counters, the listeners and their TLS), and the lifecycle services.
public final class GatewayRuntime: Sendable {
    public static let version = "0.1.0"

    /// The configuration new requests run on (the last one loaded).
    public var config: GatewayConfig { active.current.config }
    public let drain: DrainState
    public let metrics: MetricsRegistry
    /// The running configuration generation, and those a reload replaced that still have requests.
    let active: ActiveConfig
    let reloader: ConfigReloader
    /// The one upstream client given for every provider (tests, benchmarks), closed at shutdown.
    let sharedTransport: (any UpstreamTransport)?
    /// The listeners' settings: from the configuration at start-up (a reload cannot move a listener).
    let server: ServerConfig
    let includeContent: Bool
    /// The shared Redis (`REDIS_URL`), when configured.
    let redis: RedisClient?
    let logger: Logger
    let spans: (any SpanSink)?
    let sampler: TraceSampler
    /// How often `serve --watch-config-seconds` looks at the file; nil watches nothing.
    let watchInterval: Duration?
    /// The API listener's TLS (`server.tls`), and the metrics listener's when `server.tls.metrics` is on.
    let apiTLS: ListenerTLS?
    let metricsTLS: ListenerTLS?
    /// Why `server.tls` could not be set up (the listeners refuse to start then).
    let tlsFailure: String?

    /// - Parameters:
    ///   - transport: one upstream client for every provider; by default each provider gets its own
    ///     ``PooledTransport`` with its timeouts.
    ///   - spans: where finished spans go (an exporter's queue); nil records no spans.
    ///   - source: the file `config` was read from, re-read by a reload (SIGHUP, or a change the watch sees);
    ///     nil (the embedded default, or a configuration built in code) reloads nothing.
    ///   - watchInterval: how often to look for a changed file; nil only reloads on SIGHUP.
    public init(
        config: GatewayConfig,
        logger: Logger,
        metrics: MetricsRegistry? = nil,
        transport: (any UpstreamTransport)? = nil,
        spans: (any SpanSink)? = nil,
        sampler: TraceSampler = TraceSampler(),
        source: ConfigSource? = nil,
        configHash: String = ConfigSource.embeddedHash,
        watchInterval: Duration? = nil
    ) {
        self.logger = logger
        self.spans = spans
        self.sampler = sampler
        self.watchInterval = watchInterval
        self.drain = DrainState()
        self.server = config.server
        self.includeContent = config.logging.includeContent
        self.sharedTransport = transport
        let registry = metrics ?? MetricsRegistry(version: Self.version, revision: "unknown")
        self.metrics = registry
        let redis = config.redisURL.flatMap(RedisEndpoint.init(url:)).map {
            RedisClient(
                endpoint: $0,
                poolSize: config.redis.poolSize,
                commandTimeout: config.redis.commandTimeout,
                registry: registry,
                logger: logger
            )
        }
        self.redis = redis
        let shared = ConfigGeneration.Shared(
            metrics: registry,
            redis: redis,
            rateLimits: redis.map { RedisRateLimitStore(client: $0) } ?? MemoryRateLimitStore(),
            budgets: redis.map { RedisBudgetStore(client: $0) } ?? MemoryBudgetStore(),
            transport: transport,
            drain: drain,
            started: .now,
            version: Self.version,
            logger: logger
        )
        let active = ActiveConfig(ConfigGeneration(config: config, shared: shared))
        self.active = active
        reloader = ConfigReloader(source: source, hash: configHash, active: active, shared: shared)
        var failure: String?
        func listenerTLS(_ name: String) -> ListenerTLS? {
            guard let tls = config.server.tls else { return nil }
            do throws(PEMProblem) {
                return try ListenerTLS(config: tls, listener: name, registry: registry, logger: logger)
            } catch {
                failure = error.message
                return nil
            }
        }
        apiTLS = listenerTLS("api")
        metricsTLS = config.server.tls?.metrics == true ? listenerTLS("metrics") : nil
        tlsFailure = failure
    }

    /// What SIGHUP does: re-reads the configuration file (see ``ConfigReloader``) and the listeners'
    /// certificates; whether both succeeded.
    @discardableResult
    public func reload(trigger: String = "signal") -> Bool {
        let config = reloader.reload(trigger: trigger)
        return reloadTLS() && config
    }

    /// Re-reads the listeners' certificates and keys (what `SIGHUP` does); whether every one loaded.
    @discardableResult
    public func reloadTLS() -> Bool {
        [apiTLS, metricsTLS].compactMap { $0 }.map { $0.reload() }.allSatisfy { $0 }
    }

    /// The public model names the gateway serves.
    public var publicModels: [String] { active.current.router.publicModels }

    /// The API listener. `onBound` receives the bound port (useful with port 0).
    public func apiListener(onBound: (@Sendable (Int) -> Void)? = nil) -> HTTPListener {
        let disconnects = ClientDisconnectMonitor()
        let slowClients = SlowClientGuard(server: server, listener: "api", registry: metrics)
        let handler = GatewayHandler(
            active: active,
            bodyReader: RequestBodyReader(limit: server.maxBodyBytes),
            disconnects: disconnects,
            metrics: HTTPMetrics(registry: metrics),
            includeContent: includeContent,
            spans: spans,
            sampler: sampler,
            logger: logger
        )
        return HTTPListener(
            .init(
                name: "api",
                host: server.host,
                port: server.port,
                maxConnections: server.maxConnections,
                bodyLimit: server.maxBodyBytes,
                tls: apiTLS,
                startFailure: tlsFailure
            ),
            connectionHandlers: { [disconnects.makeHandler(), slowClients.makeHandler()] },
            responder: { request, writer in try await handler.respond(to: request, writer: writer) },
            onBound: onBound,
            logger: logger
        )
    }

    /// Connections the metrics listener serves at once (scrapers use one each); more wait to be accepted.
    static let metricsMaxConnections = 16

    /// The metrics listener serving `GET /metrics`.
    public func metricsListener(onBound: (@Sendable (Int) -> Void)? = nil) -> HTTPListener {
        let endpoint = MetricsEndpoint(registry: metrics)
        let slowClients = SlowClientGuard(server: server, listener: "metrics", registry: metrics)
        return HTTPListener(
            .init(
                name: "metrics",
                host: server.host,
                port: server.metricsPort,
                maxConnections: Self.metricsMaxConnections,
                bodyLimit: 64 * 1024,
                tls: metricsTLS
            ),
            connectionHandlers: { [slowClients.makeHandler()] },
            responder: { request, writer in try await endpoint.respond(to: request, writer: writer) },
            onBound: onBound,
            logger: logger
        )
    }

    /// Services in start order. The group shuts them down in reverse: readiness turns 503 first,
    /// then the API listener drains, then metrics stop, then the upstream client closes.
    public func services(
        apiBound: (@Sendable (Int) -> Void)? = nil,
        metricsBound: (@Sendable (Int) -> Void)? = nil,
        exporters: [any Service] = []
    ) -> [any Service] {
        let active = active
        return exporters + [TransportService(active: active, shared: sharedTransport)] + (redis.map { [$0] } ?? []) + [
            BudgetRefresher { active.current.budgets },
            ConfigReloadService(runtime: self),
            HealthChecker(
                current: {
                    let generation = active.current
                    return (generation.healthTargets, generation.config.healthChecks)
                },
                logger: logger
            ),
            metricsListener(onBound: metricsBound),
            apiListener(onBound: apiBound),
            DrainService(drain: drain, delay: .milliseconds(Int64(server.drainDelaySeconds * 1000)), logger: logger),
        ]
    }

    /// A service group running ``services(apiBound:metricsBound:)`` that drains on SIGTERM/SIGINT
    /// within `server.shutdown_timeout_seconds`.
    ///   - exporters: services that must outlive the listeners (they flush what the last requests recorded).
    public func serviceGroup(
        signals: [UnixSignal] = [.sigterm, .sigint],
        apiBound: (@Sendable (Int) -> Void)? = nil,
        metricsBound: (@Sendable (Int) -> Void)? = nil,
        exporters: [any Service] = []
    ) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services(apiBound: apiBound, metricsBound: metricsBound, exporters: exporters).map { .init(service: $0) },
            gracefulShutdownSignals: signals,
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(server.shutdownTimeoutSeconds * 1000))
        return ServiceGroup(configuration: configuration)
    }
}

/// Flips readiness to 503 when shutdown begins, then waits `delay` so load balancers notice
/// before the listener stops accepting.
struct DrainService: Service {
    let drain: DrainState
    let delay: Duration
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        drain.beginDraining()
        logger.info("shutdown requested; draining", metadata: ["drain_delay_seconds": "\(delay.components.seconds)"])
        if delay > .zero {
            try? await Task.sleep(for: delay)
        }
    }
}

/// Keeps the upstream clients open until every listener has finished, then closes them: every generation's
/// own clients, and the one shared client when one was given.
struct TransportService: Service {
    let active: ActiveConfig
    let shared: (any UpstreamTransport)?

    func run() async throws {
        try? await gracefulShutdown()
        for transport in active.takeAll() { try await transport.transport.shutdown() }
        try await shared?.shutdown()
    }
}
