import Telemetry

/// Handles for one provider's upstream connection pool, resolved once when the provider's transport is built.
/// Every series exists at 0 from start-up.
final class ConnectionPoolMetrics: Sendable {
    let provider: String
    private let inUse: GaugeCell
    private let idle: GaugeCell
    private let opening: GaugeCell
    private let waiters: GaugeCell
    let wait: HistogramCell
    let opened: CounterCell

    init(provider: String, registry: MetricsRegistry) {
        self.provider = provider
        let connections = registry.gauge(MetricCatalog.upstreamConnections)
        inUse = connections.labels(provider, "in_use")
        idle = connections.labels(provider, "idle")
        opening = connections.labels(provider, "opening")
        waiters = registry.gauge(MetricCatalog.upstreamConnectionWaiters).labels(provider)
        wait = registry.histogram(MetricCatalog.upstreamConnectionWait).labels(provider)
        opened = registry.counter(MetricCatalog.upstreamConnectionsOpenedTotal).labels(provider)
    }

    /// One pool's connection and waiter counts.
    struct Counts: Sendable, Equatable {
        var inUse = 0
        var idle = 0
        var opening = 0
        var waiters = 0
    }

    /// Moves the provider's gauges from one pool's `old` counts to its `new` ones, so the gauges hold the
    /// sum over the provider's pools (one per origin; most providers have one).
    func add(_ new: Counts, replacing old: Counts) {
        guard new != old else { return }
        if new.inUse != old.inUse { inUse.add(Double(new.inUse - old.inUse)) }
        if new.idle != old.idle { idle.add(Double(new.idle - old.idle)) }
        if new.opening != old.opening { opening.add(Double(new.opening - old.opening)) }
        if new.waiters != old.waiters { waiters.add(Double(new.waiters - old.waiters)) }
    }
}
