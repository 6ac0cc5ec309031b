import Foundation

/// The order in which one public model's deployments are tried, decided per request: priority groups
/// (lower first), each ordered by the model's strategy; later groups are failover only.
struct RoutePlan: Sendable {
    /// Share of `least_latency` requests sent in random order, so a deployment that got fast again is noticed.
    static let exploration = 0.1

    let strategy: RoutingStrategy
    /// Deployments grouped by priority, groups in ascending priority, each in configuration order.
    let groups: [[Route]]
    /// The one order there is when nothing is left to chance (priority strategy, or one deployment per group).
    private let fixed: [Route]?

    init(strategy: RoutingStrategy, routes: [Route]) {
        self.strategy = strategy
        let priorities = Set(routes.map(\.priority)).sorted()
        groups = priorities.map { priority in routes.filter { $0.priority == priority } }
        let chosen = strategy == .priority || groups.allSatisfy { $0.count == 1 }
        fixed = chosen ? groups.flatMap { $0 } : nil
    }

    /// Every deployment, best first for this request.
    func order() -> [Route] {
        if let fixed { return fixed }
        var ordered: [Route] = []
        ordered.reserveCapacity(groups.reduce(0) { $0 + $1.count })
        for group in groups {
            switch strategy {
            case .priority: ordered += group
            case .weighted: ordered += Self.weightedOrder(group)
            case .leastLatency: ordered += Self.latencyOrder(group)
            }
        }
        return ordered
    }

    /// A random order in which each deployment comes first with probability weight / total weight
    /// (Efraimidis–Spirakis: sort by u^(1/w), largest first).
    static func weightedOrder(_ group: [Route]) -> [Route] {
        group.map { (route: $0, key: pow(Double.random(in: Double.ulpOfOne..<1), 1 / $0.weight)) }
            .sorted { $0.key > $1.key }
            .map(\.route)
    }

    /// Fastest recent latency first; deployments not measured yet go first so they get measured.
    static func latencyOrder(_ group: [Route]) -> [Route] {
        if Double.random(in: 0..<1) < exploration { return group.shuffled() }
        return group.sorted { ($0.latency.value ?? .zero) < ($1.latency.value ?? .zero) }
    }
}
