import Logging
import Synchronization
import Telemetry

/// Everything the gateway builds from one configuration: providers and routes, client keys, rate limits,
/// budgets, prices, cache and health probes, and the endpoints that use them.
///
/// A reload builds a new generation beside the running one and swaps it in (``ActiveConfig``). A request
/// enters the generation that is current when it arrives and keeps it to its end, so requests and streams in
/// flight finish on the configuration they started with. What must outlive a reload is handed over from the
/// generation before: a provider's upstream client while its settings are unchanged, its health, each
/// deployment's circuit breaker and latency estimate, the cache and the stored responses.
final class ConfigGeneration: Sendable {
    /// What every generation of one process shares.
    struct Shared: Sendable {
        let metrics: MetricsRegistry
        /// The shared Redis (`REDIS_URL`), when configured.
        let redis: RedisClient?
        /// Rate-limit and budget counters: a reload changes the limits, not what was already spent.
        let rateLimits: any RateLimitStore
        let budgets: any BudgetStore
        /// One upstream client for every provider (tests, benchmarks); nil gives each provider its own.
        let transport: (any UpstreamTransport)?
        let drain: DrainState
        let started: ContinuousClock.Instant
        let version: String
        let logger: Logger
    }

    let config: GatewayConfig
    let router: ModelRouter
    /// Nil when no client key or provider has a rate limit.
    let limiter: RateLimiter?
    /// Nil when no client key has a budget.
    let budgets: BudgetEnforcer?
    let authenticator: Authenticator
    let chat: ChatCompletionsEndpoint
    let embeddings: EmbeddingsEndpoint
    let responses: ResponsesEndpoint
    let models: ModelsEndpoint
    let health: HealthEndpoints
    /// What the health checker probes while this generation is current.
    let healthTargets: [HealthChecker.Target]
    /// The providers' own upstream clients, by provider name.
    let transports: [String: ProviderTransport]
    private let healthByProvider: [String: ProviderHealth]
    private let cache: ResponseCache?
    private let responseStore: ResponseStateStore
    private let requests = Atomic<Int>(0)

    init(config: GatewayConfig, shared: Shared, previous: ConfigGeneration? = nil) {
        self.config = config
        let registry = shared.metrics
        let logger = shared.logger
        let (adapters, transports) = ProviderFactory.make(
            config: config,
            transport: shared.transport,
            reusing: previous?.transports ?? [:],
            registry: registry,
            logger: logger
        )
        self.transports = transports
        // Health state carries over for a provider that is still there and probed by the same rules.
        let keptHealth = previous?.config.healthChecks == config.healthChecks ? previous?.healthByProvider ?? [:] : [:]
        var health: [String: ProviderHealth] = [:]
        for name in adapters.keys { health[name] = keptHealth[name] ?? ProviderHealth(name: name, thresholds: config.healthChecks) }
        healthByProvider = health
        let limiter = RateLimiter(config: config, store: shared.rateLimits, registry: registry, logger: logger)
        self.limiter = limiter.isEmpty ? nil : limiter
        budgets = BudgetEnforcer(config: config, store: shared.budgets, registry: registry, logger: logger)
        router = ModelRouter(
            config: config,
            providers: adapters,
            health: health,
            registry: registry,
            limiter: self.limiter,
            previous: previous?.router,
            logger: logger
        )
        healthTargets = adapters.values.sorted { $0.name < $1.name }.map {
            HealthChecker.Target(provider: $0, health: health[$0.name]!, registry: registry)
        }
        authenticator = Authenticator(config: config.auth)
        if config.cache.enabled {
            cache =
                previous?.config.cache == config.cache
                ? previous?.cache : ResponseCache(config: config.cache, redis: shared.redis, registry: registry)
        } else {
            cache = nil
        }
        responseStore =
            previous.flatMap { $0.config.responses == config.responses ? $0.responseStore : nil }
            ?? ResponseStateStore(config: config.responses, redis: shared.redis, registry: registry)
        chat = ChatCompletionsEndpoint(
            router: router,
            limiter: self.limiter,
            budgets: budgets,
            cache: cache,
            limits: RequestLimits(maxOutputTokens: config.server.maxOutputTokens)
        )
        embeddings = EmbeddingsEndpoint(router: router, limiter: self.limiter, budgets: budgets)
        responses = ResponsesEndpoint(store: responseStore, router: router)
        models = ModelsEndpoint(router: router)
        self.health = HealthEndpoints(
            version: shared.version,
            providers: health.values.sorted { $0.name < $1.name },
            drain: shared.drain,
            started: shared.started,
            redis: shared.redis
        )
    }

    /// One more request runs on this generation (``ActiveConfig/enter()`` calls it under its lock).
    func enter() { requests.add(1, ordering: .relaxed) }

    /// A request that entered has finished.
    func leave() { requests.subtract(1, ordering: .releasing) }

    /// Requests still running on this generation.
    var requestsInFlight: Int { requests.load(ordering: .acquiring) }
}
