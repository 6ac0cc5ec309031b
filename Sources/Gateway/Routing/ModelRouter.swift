import Telemetry
import Tracing

/// One place a request can go: an adapter, the model name to ask it for, and the handles its
/// outcome is recorded through (resolved when the router was built).
public struct Route: Sendable {
    public let provider: any ChatProvider
    public let model: String
    public let health: ProviderHealth
    let metrics: RouteMetrics
    /// The provider's `max_retries`: attempts on this deployment beyond the first.
    let maxRetries: Int
    /// This deployment's breaker (shared by every route to the same provider and model label).
    let breaker: CircuitBreaker

    /// Runs one call to this route's provider as an upstream attempt: its CLIENT span's context is what
    /// the upstream sees in `traceparent`; the outcome goes to health, metrics and the span.
    func call(
        _ operation: GenAIOperation,
        tracing: RequestTracing,
        attempt: AttemptSpan,
        _ body: @Sendable () async throws(GatewayError) -> ProviderReply
    ) async throws(GatewayError) -> ProviderReply {
        let started = ContinuousClock.now
        do {
            let reply = try await Self.within(attempt) { () async throws(GatewayError) in try await body() }
            let duration = ContinuousClock.now - started
            recordSuccess(operation, duration: duration, usage: reply.usage, trace: tracing.trace)
            attempt.finish(route: self, operation: operation, stream: false, summary: reply.summary, error: nil)
            return reply
        } catch {
            recordFailure(operation, error, duration: .now - started, trace: tracing.trace)
            attempt.finish(route: self, operation: operation, stream: false, summary: nil, error: error)
            throw error
        }
    }

    /// Runs `body` with `attempt`'s context as the one upstream requests propagate and, when tracing is
    /// on, as the current `ServiceContext`, so instrumented libraries called inside join the attempt's span.
    static func within<Value: Sendable>(
        _ attempt: AttemptSpan,
        _ body: @Sendable () async throws(GatewayError) -> Value
    ) async throws(GatewayError) -> Value {
        do {
            guard attempt.sink != nil else {
                return try await UpstreamTrace.$context.withValue(attempt.context) { try await body() }
            }
            var context = ServiceContext.current ?? .topLevel
            context.traceContext = attempt.context
            return try await ServiceContext.withValue(context) {
                try await UpstreamTrace.$context.withValue(attempt.context) { try await body() }
            }
        } catch let error as GatewayError {
            throw error
        } catch {
            throw HTTPClientTransport.translate(error)
        }
    }

    func recordSuccess(_ operation: GenAIOperation, duration: Duration, usage: TokenUsage?, trace: TraceContext) {
        health.recordSuccess(latency: duration)
        metrics.recordAttempt(operation: operation, duration: duration, error: nil, trace: trace)
        if let usage { metrics.recordUsage(usage, operation: operation) }
    }

    func recordFailure(_ operation: GenAIOperation, _ error: GatewayError, duration: Duration, trace: TraceContext) {
        health.recordFailure(error)
        metrics.recordAttempt(operation: operation, duration: duration, error: error, trace: trace)
    }
}

/// Resolves a request's `model` to its ordered routes. Built once at start-up from `models:`,
/// each provider's own `models:` list, and `provider/model` for direct routing.
public struct ModelRouter: Sendable {
    private struct ProviderEntry: Sendable {
        let adapter: any ChatProvider
        let health: ProviderHealth
        let metrics: ProviderMetrics
        /// Route handles and breakers by bounded model label.
        let routeMetrics: [String: RouteMetrics]
        let breakers: [String: CircuitBreaker]
        let maxRetries: Int
    }

    private let routes: [String: [Route]]
    private let providers: [String: ProviderEntry]
    /// Public model names in the order `/v1/models` lists them.
    public let publicModels: [String]
    /// Every model name the configuration mentions; other names are labelled `other`.
    let knownModels: Set<String>

    init(config: GatewayConfig, providers adapters: [String: any ChatProvider], health: [String: ProviderHealth], registry: MetricsRegistry) {
        var known: Set<String> = []
        for (publicName, deployments) in config.models {
            known.insert(publicName)
            for deployment in deployments { known.insert(deployment.model) }
        }
        for (_, provider) in config.providers { known.formUnion(provider.models) }
        knownModels = known

        var providers: [String: ProviderEntry] = [:]
        for (name, adapter) in adapters {
            let providerMetrics = ProviderMetrics(name: name, type: adapter.type, registry: registry)
            let providerHealth = health[name] ?? ProviderHealth(name: name)
            providerHealth.attach(gauge: providerMetrics.health)
            var routeMetrics: [String: RouteMetrics] = [:]
            var breakers: [String: CircuitBreaker] = [:]
            let breakerSettings = config.providers[name]?.circuitBreaker ?? CircuitBreakerConfig()
            let breakerStates = registry.gauge(MetricCatalog.circuitBreakerState)
            for model in known.union(["other"]) {
                routeMetrics[model] = providerMetrics.route(model: model)
                breakers[model] = CircuitBreaker(settings: breakerSettings, gauge: LazySeries(breakerStates, name, model))
            }
            providers[name] = ProviderEntry(
                adapter: adapter,
                health: providerHealth,
                metrics: providerMetrics,
                routeMetrics: routeMetrics,
                breakers: breakers,
                maxRetries: config.providers[name]?.maxRetries ?? 0
            )
        }
        func route(_ providerName: String, _ model: String) -> Route? {
            guard let entry = providers[providerName] else { return nil }
            let label = known.contains(model) ? model : "other"
            return Route(
                provider: entry.adapter,
                model: model,
                health: entry.health,
                metrics: entry.routeMetrics[label]!,
                maxRetries: config.providers[providerName]?.maxRetries ?? 0,
                breaker: entry.breakers[label]!
            )
        }
        var routes: [String: [Route]] = [:]
        for (name, _) in config.enabledProviders {
            for model in config.providers[name]?.models ?? [] where routes[model] == nil {
                if let resolved = route(name, model) { routes[model] = [resolved] }
            }
        }
        for (publicName, deployments) in config.models {
            let resolved = deployments.compactMap { route($0.provider, $0.model) }
            if !resolved.isEmpty { routes[publicName] = resolved }
        }
        self.routes = routes
        self.providers = providers
        self.publicModels = routes.keys.sorted()
    }

    /// The routes for `model`, best first, never empty; `provider/model` addresses one provider directly.
    public func resolve(_ model: String) throws(GatewayError) -> [Route] {
        if let found = routes[model] { return found }
        if let slash = model.firstIndex(of: "/") {
            let providerName = String(model[..<slash])
            let upstreamModel = String(model[model.index(after: slash)...])
            if let entry = providers[providerName], !upstreamModel.isEmpty {
                let label = knownModels.contains(upstreamModel) ? upstreamModel : "other"
                return [
                    Route(
                        provider: entry.adapter,
                        model: upstreamModel,
                        health: entry.health,
                        metrics: entry.routeMetrics[label]!,
                        maxRetries: entry.maxRetries,
                        breaker: entry.breakers[label]!
                    )
                ]
            }
        }
        throw GatewayError.modelNotFound(model)
    }

    /// The provider that serves `model` first (for `/v1/models`' `owned_by`).
    public func owner(of model: String) -> String? { routes[model]?.first?.provider.name }
}
