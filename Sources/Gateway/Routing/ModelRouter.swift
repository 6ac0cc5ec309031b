import Logging
import Telemetry

/// Resolves a request's `model` to its ordered routes. Built from `models:`, each provider's own `models:`
/// list, and `provider/model` for direct routing — at start-up, and again on each configuration reload.
public struct ModelRouter: Sendable {
    /// One provider's adapter and the per-deployment state shared by every route to it.
    private struct ProviderEntry: Sendable {
        let adapter: any ChatProvider
        let metrics: ProviderMetrics
        let health: ProviderHealth
        let maxRetries: Int
        let timeouts: UpstreamTimeouts
        /// What ``breakers`` were built with: a reload keeps them (and their state) while it is unchanged.
        let breakerSettings: CircuitBreakerConfig
        /// Metric handles, breakers and latency estimates by bounded model label.
        let routeMetrics: [String: RouteMetrics]
        let breakers: [String: CircuitBreaker]
        let latencies: [String: LatencyEstimate]
        let spends: [String: SpendRecorder]
        let prices: PriceTable

        func price(_ model: String) -> ModelPrice? {
            prices.price(provider: adapter.name, type: adapter.type, model: model)
        }

        func route(model: String, label: String, priority: Int = 0, weight: Double = 1) -> Route {
            Route(
                provider: adapter,
                model: model,
                health: health,
                metrics: routeMetrics[label]!,
                price: price(model),
                spend: spends[label]!,
                maxRetries: maxRetries,
                breaker: breakers[label]!,
                latency: latencies[label]!,
                timeouts: timeouts,
                priority: priority,
                weight: weight
            )
        }
    }

    private let plans: [String: RoutePlan]
    private let providers: [String: ProviderEntry]
    /// Public model names in the order `/v1/models` lists them.
    public let publicModels: [String]
    /// Every model name the configuration mentions; other names are labelled `other`.
    let knownModels: Set<String>
    /// Retries, failover and the request's overall time limit.
    let attempts: UpstreamAttempts

    /// The upstream call over this router's attempt policy.
    var upstream: UpstreamCall { UpstreamCall(attempts: attempts) }
    /// The data-residency model allow-list, and `llm_data_residency_refusals_total`.
    let residency: DataResidencyConfig
    private let refusals: CounterCell

    init(
        config: GatewayConfig,
        providers adapters: [String: any ChatProvider],
        health: [String: ProviderHealth],
        registry: MetricsRegistry,
        limiter: RateLimiter? = nil,
        previous: ModelRouter? = nil,
        logger: Logger
    ) {
        var known: Set<String> = []
        for (publicName, route) in config.models {
            known.insert(publicName)
            for deployment in route.deployments { known.insert(deployment.model) }
        }
        for (_, provider) in config.providers { known.formUnion(provider.models) }
        knownModels = known
        residency = config.dataResidency
        refusals = registry.counter(MetricCatalog.dataResidencyRefusalsTotal).labels()
        attempts = UpstreamAttempts(requestTimeout: .seconds(config.server.timeoutSeconds), limiter: limiter)
        let prices = PriceTable(config: config.pricing)
        let clients = ClientKeys(auth: config.auth)

        var providers: [String: ProviderEntry] = [:]
        for (name, adapter) in adapters {
            let settings = config.providers[name] ?? ProviderConfig(type: adapter.type)
            let providerMetrics = ProviderMetrics(name: name, type: adapter.type, registry: registry)
            let providerHealth = health[name] ?? ProviderHealth(name: name)
            var routeMetrics: [String: RouteMetrics] = [:]
            var breakers: [String: CircuitBreaker] = [:]
            var latencies: [String: LatencyEstimate] = [:]
            var spends: [String: SpendRecorder] = [:]
            // A deployment that outlives a reload keeps its breaker (with unchanged settings) and latency estimate.
            let before = previous?.providers[name]
            let keptBreakers = before?.breakerSettings == settings.circuitBreaker ? before?.breakers ?? [:] : [:]
            for model in known.union(["other"]) {
                routeMetrics[model] = providerMetrics.route(model: model)
                spends[model] = SpendRecorder(provider: name, model: model, clients: clients, registry: registry, logger: logger)
                breakers[model] =
                    keptBreakers[model]
                    ?? CircuitBreaker(
                        settings: settings.circuitBreaker,
                        signals: CircuitBreaker.Signals(provider: name, model: model, registry: registry, logger: logger)
                    )
                latencies[model] = before?.latencies[model] ?? LatencyEstimate()
            }
            providerHealth.attach(gauge: providerMetrics.health, breakers: Array(breakers.values))
            providers[name] = ProviderEntry(
                adapter: adapter,
                metrics: providerMetrics,
                health: providerHealth,
                maxRetries: settings.maxRetries,
                timeouts: settings.timeouts(pool: config.connectionPool),
                breakerSettings: settings.circuitBreaker,
                routeMetrics: routeMetrics,
                breakers: breakers,
                latencies: latencies,
                spends: spends,
                prices: prices
            )
        }
        var plans: [String: RoutePlan] = [:]
        for (name, _) in config.enabledProviders {
            for model in config.providers[name]?.models ?? [] where plans[model] == nil {
                if let entry = providers[name] {
                    plans[model] = RoutePlan(strategy: .priority, routes: [entry.route(model: model, label: model)])
                }
            }
        }
        for (publicName, modelRoute) in config.models {
            let resolved = modelRoute.deployments.compactMap { deployment in
                providers[deployment.provider]?.route(
                    model: deployment.model,
                    label: deployment.model,
                    priority: deployment.priority,
                    weight: deployment.weight
                )
            }
            if !resolved.isEmpty { plans[publicName] = RoutePlan(strategy: modelRoute.strategy, routes: resolved) }
        }
        self.plans = plans
        self.providers = providers
        self.publicModels = plans.keys.filter { config.dataResidency.allows(model: $0) }.sorted()
        Self.materializeConfiguredSeries(config: config, providers: providers, plans: plans)
    }

    /// Creates, at 0, the counters and gauges whose label values the configuration names — per provider
    /// (rate limits hit, retries), per deployment (tokens by type, breaker state and opens, cost per client key,
    /// unpriced requests when it has no price) and per pair of providers
    /// that serve one model (failovers) — so that `rate()`, `increase()` and alerts see their first event.
    /// Deployments the configuration does not name (`provider/model` addressed directly) appear when used.
    private static func materializeConfiguredSeries(config: GatewayConfig, providers: [String: ProviderEntry], plans: [String: RoutePlan]) {
        var deployments: [(provider: String, model: String)] = []
        for (name, provider) in config.providers { deployments += provider.models.map { (name, $0) } }
        for route in config.models.values { deployments += route.deployments.map { ($0.provider, $0.model) } }
        for (name, model) in deployments {
            guard let entry = providers[name] else { continue }
            entry.routeMetrics[model]?.materialize()
            entry.spends[model]?.materialize(priced: entry.price(model) != nil)
            entry.breakers[model]?.materializeSeries()
        }
        for entry in providers.values { entry.metrics.materialize() }
        for plan in plans.values {
            let routes = plan.groups.flatMap { $0 }
            for from in routes {
                for to in routes where to.provider.name != from.provider.name {
                    from.metrics.provider.materializeFailover(to: to.provider.name)
                }
            }
        }
    }

    /// The routes for `model`, best first for this request, never empty; `provider/model` addresses one
    /// provider directly.
    public func resolve(_ model: String) throws(GatewayError) -> [Route] {
        try checkResidency(model)
        if let plan = plans[model] { return plan.order() }
        if let direct = try direct(model) { return [direct] }
        throw GatewayError.modelNotFound(model)
    }

    /// The one route of `deployment` (`provider/model`: the deployment holding a conversation a request
    /// continues), for a request that asked for `model` — which the data-residency policy checks, as for any
    /// request; nil `deployment` resolves `model`.
    func resolve(_ model: String, pinnedTo deployment: String?) throws(GatewayError) -> [Route] {
        guard let deployment else { return try resolve(model) }
        try checkResidency(model)
        guard let direct = try direct(deployment) else { throw GatewayError.modelNotFound(deployment) }
        return [direct]
    }

    /// The route of `deployment` (`provider/model`), outside any request (a stored response's holder); nil when
    /// its provider is gone.
    func route(of deployment: String) -> Route? {
        try? direct(deployment)
    }

    private func checkResidency(_ model: String) throws(GatewayError) {
        guard residency.allows(model: model) else {
            refusals.increment()
            throw GatewayError.modelNotAllowed(model)
        }
    }

    /// The route `provider/model` names, if its provider is configured.
    private func direct(_ model: String) throws(GatewayError) -> Route? {
        guard let slash = model.firstIndex(of: "/") else { return nil }
        let providerName = String(model[..<slash])
        let upstreamModel = String(model[model.index(after: slash)...])
        guard let entry = providers[providerName], !upstreamModel.isEmpty else { return nil }
        try Self.checkPathSafe(upstreamModel)
        return entry.route(model: upstreamModel, label: knownModels.contains(upstreamModel) ? upstreamModel : "other")
    }

    /// A client-chosen upstream model name goes into provider URLs (Gemini, Bedrock, Azure): `.` and `..`
    /// segments, and characters that end a path (`?`, `#`, `\`), are refused before it gets there.
    static func checkPathSafe(_ model: String) throws(GatewayError) {
        let unsafeSegment = model.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == "." || $0 == ".." || $0.isEmpty }
        guard !unsafeSegment, !model.contains(where: { $0 == "?" || $0 == "#" || $0 == "\\" }) else {
            throw GatewayError.invalidRequest(message: "Invalid 'model': unsafe characters or path segments.", param: "model")
        }
    }

    /// `[provider, model]` of every breaker this router holds: the label values of its breaker series.
    var deploymentLabels: Set<[String]> {
        Set(providers.flatMap { name, entry in entry.breakers.keys.map { [name, $0] } })
    }

    /// The provider that serves `model` first (for `/v1/models`' `owned_by`).
    public func owner(of model: String) -> String? { plans[model]?.groups.first?.first?.provider.name }
}
