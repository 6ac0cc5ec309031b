import Foundation
import Telemetry

/// The order in which one public model's deployments are tried, decided per request: priority groups
/// (lower first), each ordered by the model's strategy; later groups are failover only.
struct RoutePlan: Sendable {
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
            case .weighted: ordered += Self.weightedOrder(group, weight: \.weight)
            case .leastLatency: ordered += Self.latencyOrder(group)
            }
        }
        return ordered
    }

    /// A random order in which each deployment comes first with probability weight / total weight
    /// (Efraimidis–Spirakis: sort by u^(1/w), largest first).
    static func weightedOrder(_ group: [Route], weight: (Route) -> Double) -> [Route] {
        group.map { (route: $0, key: pow(Double.random(in: Double.ulpOfOne..<1), 1 / weight($0))) }
            .sorted { $0.key > $1.key }
            .map(\.route)
    }

    /// The lower a deployment's recent latency, the likelier it comes first: weights go with 1 / latency²,
    /// so a deployment twice as fast takes four times the traffic — but never less than ``explorationShare``
    /// of the fastest one's weight: a deployment's estimate only moves when it serves, so one slowed by a
    /// passing spike (a cold connection, a loaded moment) must keep being sampled to win its traffic back.
    /// Deployments not measured yet count as the fastest, so they get measured.
    static func latencyOrder(_ group: [Route]) -> [Route] {
        let measured = group.compactMap { $0.latency.value?.seconds }
        let fastest = max(measured.min() ?? 0.001, 0.0001)
        let floor = explorationShare / (fastest * fastest)
        return weightedOrder(group) { route in
            let seconds = max(route.latency.value?.seconds ?? fastest, 0.0001)
            return max(1 / (seconds * seconds), floor)
        }
    }

    /// The least weight a slow deployment keeps under `least_latency`, relative to the fastest one's.
    static let explorationShare = 0.05
}
