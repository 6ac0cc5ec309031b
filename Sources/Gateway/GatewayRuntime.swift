import Logging
import NIOCore
import ServiceLifecycle
import Telemetry
import UnixSignals

/// Everything a running gateway is made of, built once from a validated configuration:
/// providers, routes, health, and the two listeners (API and metrics) as lifecycle services.
public final class GatewayRuntime: Sendable {
    public static let version = "0.1.0"

    public let config: GatewayConfig
    public let drain: DrainState
    public let metrics: MetricsRegistry
    let router: ModelRouter
    /// Upstream clients, closed after the listeners have drained.
    let transports: [any UpstreamTransport]
    let health: [ProviderHealth]
    let healthChecker: HealthChecker
    /// The shared Redis (`REDIS_URL`), when configured.
    let redis: RedisClient?
    /// Nil when no client key or provider has a rate limit.
    let limiter: RateLimiter?
    /// Nil when no client key has a budget.
    let budgets: BudgetEnforcer?
    let logger: Logger
    let started: ContinuousClock.Instant = .now
    let spans: (any SpanSink)?
    let sampler: TraceSampler
    /// The API listener's TLS (`server.tls`), and the metrics listener's when `server.tls.metrics` is on.
    let apiTLS: ListenerTLS?
    let metricsTLS: ListenerTLS?
    /// Why `server.tls` could not be set up (the listeners refuse to start then).
    let tlsFailure: String?

    /// - Parameters:
    ///   - transport: one upstream client for every provider; by default each provider gets its own
    ///     ``PooledTransport`` with its timeouts.
    ///   - spans: where finished spans go (an exporter's queue); nil records no spans.
    public init(
        config: GatewayConfig,
        logger: Logger,
        metrics: MetricsRegistry? = nil,
        transport: (any UpstreamTransport)? = nil,
        spans: (any SpanSink)? = nil,
        sampler: TraceSampler = TraceSampler()
    ) {
        self.config = config
        self.logger = logger
        self.spans = spans
        self.sampler = sampler
        self.drain = DrainState()
        self.metrics = metrics ?? MetricsRegistry(version: Self.version, revision: "unknown")
        let (adapters, transports) = ProviderFactory.make(config: config, transport: transport, registry: self.metrics, logger: logger)
        self.transports = transports
        var health: [String: ProviderHealth] = [:]
        for name in adapters.keys { health[name] = ProviderHealth(name: name, thresholds: config.healthChecks) }
        self.health = health.values.sorted { $0.name < $1.name }
        let registry = self.metrics
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
        let store: any RateLimitStore = redis.map { RedisRateLimitStore(client: $0) } ?? MemoryRateLimitStore()
        let limiter = RateLimiter(config: config, store: store, registry: self.metrics, logger: logger)
        self.limiter = limiter.isEmpty ? nil : limiter
        let budgetStore: any BudgetStore = redis.map { RedisBudgetStore(client: $0) } ?? MemoryBudgetStore()
        self.budgets = BudgetEnforcer(config: config, store: budgetStore, registry: self.metrics, logger: logger)
        self.router = ModelRouter(
            config: config,
            providers: adapters,
            health: health,
            registry: self.metrics,
            limiter: self.limiter,
            logger: logger
        )
        let targets = adapters.values.sorted { $0.name < $1.name }.map {
            HealthChecker.Target(provider: $0, health: health[$0.name]!, registry: registry)
        }
        self.healthChecker = HealthChecker(targets: targets, settings: config.healthChecks, logger: logger)
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

    /// Re-reads the listeners' certificates and keys (what `SIGHUP` does); whether every one loaded.
    @discardableResult
    public func reloadTLS() -> Bool {
        [apiTLS, metricsTLS].compactMap { $0 }.map { $0.reload() }.allSatisfy { $0 }
    }

    /// The public model names the gateway serves.
    public var publicModels: [String] { router.publicModels }

    /// The API listener. `onBound` receives the bound port (useful with port 0).
    public func apiListener(onBound: (@Sendable (Int) -> Void)? = nil) -> HTTPListener {
        let disconnects = ClientDisconnectMonitor()
        let slowClients = SlowClientGuard(server: config.server, listener: "api", registry: metrics)
        let handler = GatewayHandler(
            chat: ChatCompletionsEndpoint(
                router: router,
                limiter: limiter,
                budgets: budgets,
                cache: config.cache.enabled ? ResponseCache(config: config.cache, redis: redis, registry: metrics) : nil,
                limits: RequestLimits(maxOutputTokens: config.server.maxOutputTokens)
            ),
            embeddings: EmbeddingsEndpoint(router: router, limiter: limiter, budgets: budgets),
            responses: ResponsesEndpoint(store: ResponseStateStore(config: config.responses, redis: redis, registry: metrics)),
            models: ModelsEndpoint(router: router),
            health: HealthEndpoints(version: Self.version, providers: health, drain: drain, started: started, redis: redis),
            authenticator: Authenticator(config: config.auth),
            bodyReader: RequestBodyReader(limit: config.server.maxBodyBytes),
            disconnects: disconnects,
            metrics: HTTPMetrics(registry: metrics),
            includeContent: config.logging.includeContent,
            spans: spans,
            sampler: sampler,
            logger: logger
        )
        return HTTPListener(
            .init(
                name: "api",
                host: config.server.host,
                port: config.server.port,
                maxConnections: config.server.maxConnections,
                bodyLimit: config.server.maxBodyBytes,
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
        let slowClients = SlowClientGuard(server: config.server, listener: "metrics", registry: metrics)
        return HTTPListener(
            .init(
                name: "metrics",
                host: config.server.host,
                port: config.server.metricsPort,
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
        exporters + [
            TransportService(transports: transports)
        ] + (redis.map { [$0] } ?? []) + (budgets.map { [$0] } ?? []) + (apiTLS == nil ? [] : [TLSReloadService(runtime: self)]) + [
            healthChecker,
            metricsListener(onBound: metricsBound),
            apiListener(onBound: apiBound),
            DrainService(drain: drain, delay: .milliseconds(Int64(config.server.drainDelaySeconds * 1000)), logger: logger),
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
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(config.server.shutdownTimeoutSeconds * 1000))
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

/// Keeps the upstream clients open until every listener has finished, then closes them.
struct TransportService: Service {
    let transports: [any UpstreamTransport]

    func run() async throws {
        try? await gracefulShutdown()
        for transport in transports { try await transport.shutdown() }
    }
}
