/// One place a request can go: an adapter and the model name to ask it for.
public struct Route: Sendable {
    public let provider: any ChatProvider
    public let model: String
    public let health: ProviderHealth

    /// Runs one call to this route's provider, recording its outcome in the provider's health.
    func call<Value>(_ operation: () async throws(GatewayError) -> Value) async throws(GatewayError) -> Value {
        let started = ContinuousClock.now
        do {
            let value = try await operation()
            health.recordSuccess(latency: .now - started)
            return value
        } catch {
            health.recordFailure(error)
            throw error
        }
    }
}

/// Resolves a request's `model` to its ordered routes. Built once at start-up from `models:`,
/// each provider's own `models:` list, and `provider/model` for direct routing.
public struct ModelRouter: Sendable {
    private let routes: [String: [Route]]
    private let providers: [String: (adapter: any ChatProvider, health: ProviderHealth)]
    /// Public model names in the order `/v1/models` lists them.
    public let publicModels: [String]

    init(config: GatewayConfig, providers adapters: [String: any ChatProvider], health: [String: ProviderHealth]) {
        var providers: [String: (adapter: any ChatProvider, health: ProviderHealth)] = [:]
        for (name, adapter) in adapters {
            providers[name] = (adapter, health[name] ?? ProviderHealth(name: name))
        }
        var routes: [String: [Route]] = [:]
        for (name, _) in config.enabledProviders {
            guard let entry = providers[name] else { continue }
            for model in config.providers[name]?.models ?? [] where routes[model] == nil {
                routes[model] = [Route(provider: entry.adapter, model: model, health: entry.health)]
            }
        }
        for (publicName, deployments) in config.models {
            let resolved = deployments.compactMap { deployment -> Route? in
                guard let entry = providers[deployment.provider] else { return nil }
                return Route(provider: entry.adapter, model: deployment.model, health: entry.health)
            }
            if !resolved.isEmpty { routes[publicName] = resolved }
        }
        self.routes = routes
        self.providers = providers
        self.publicModels = routes.keys.sorted()
    }

    /// The routes for `model`, best first; `provider/model` addresses one provider directly.
    public func resolve(_ model: String) throws(GatewayError) -> [Route] {
        if let found = routes[model] { return found }
        if let slash = model.firstIndex(of: "/") {
            let providerName = String(model[..<slash])
            let upstreamModel = String(model[model.index(after: slash)...])
            if let entry = providers[providerName], !upstreamModel.isEmpty {
                return [Route(provider: entry.adapter, model: upstreamModel, health: entry.health)]
            }
        }
        throw GatewayError.modelNotFound(model)
    }

    /// The preferred route for `model` (failover across the rest comes with the resilience work).
    func primaryRoute(for model: String) throws(GatewayError) -> Route {
        guard let route = try resolve(model).first else { throw GatewayError.modelNotFound(model) }
        return route
    }

    /// The provider that serves `model` first (for `/v1/models`' `owned_by`).
    public func owner(of model: String) -> String? { routes[model]?.first?.provider.name }
}
