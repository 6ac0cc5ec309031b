/// How a request picks among the deployments of one priority group.
public enum RoutingStrategy: String, Sendable, Equatable, CaseIterable {
    /// In the order listed: the first healthy deployment takes all traffic, the rest are failover.
    case priority
    /// At random in proportion to each deployment's `weight`.
    case weighted
    /// The deployment with the lowest recent latency (an EWMA), with a little exploration so a
    /// deployment that got faster again is noticed.
    case leastLatency = "least_latency"
}

/// `models.<name>`: a public model's deployments and how to choose among them.
///
/// Written as a plain list (priority strategy, list order) or as `{strategy, deployments}`.
/// Deployments are grouped by `priority` (lower first); the strategy orders each group; the groups
/// after the first are failover only.
public struct ModelRoute: Sendable, Equatable, ExpressibleByArrayLiteral {
    public var strategy: RoutingStrategy
    public var deployments: [ModelDeployment]

    public init(strategy: RoutingStrategy = .priority, deployments: [ModelDeployment]) {
        self.strategy = strategy
        self.deployments = deployments
    }

    public init(arrayLiteral deployments: ModelDeployment...) {
        self.init(deployments: deployments)
    }
}

/// One place a public model can be served: a provider and the model name it knows.
public struct ModelDeployment: Sendable, Equatable {
    public var provider: String
    public var model: String
    /// Group: lower numbers are tried first.
    public var priority: Int
    /// Share of traffic within its group under the `weighted` strategy.
    public var weight: Double

    public init(provider: String, model: String, priority: Int = 0, weight: Double = 1) {
        self.provider = provider
        self.model = model
        self.priority = priority
        self.weight = weight
    }
}
