import Synchronization
import Telemetry

/// What the gateway has seen of one provider: passive health from real requests.
///
/// Three consecutive failures mark it unhealthy, the next success healthy again (the seed's
/// failure threshold). Active probes and circuit breaking build on this with the resilience work.
public final class ProviderHealth: Sendable {
    public let name: String
    private let state = Mutex(State())
    static let unhealthyAfter = 3

    struct State {
        var consecutiveFailures = 0
        var lastLatencyMs: Int?
        /// `llm_provider_health_status{provider}`, kept equal to ``isHealthy``.
        var gauge: GaugeCell?
    }

    /// Mirrors this provider's health into `gauge` from now on.
    func attach(gauge: GaugeCell) {
        state.withLock {
            $0.gauge = gauge
            gauge.set($0.consecutiveFailures < Self.unhealthyAfter ? 1 : 0)
        }
    }

    public init(name: String) {
        self.name = name
    }

    public var isHealthy: Bool { state.withLock { $0.consecutiveFailures < Self.unhealthyAfter } }
    public var lastLatencyMs: Int? { state.withLock { $0.lastLatencyMs } }

    public func recordSuccess(latency: Duration) {
        let milliseconds = Int(latency.components.seconds * 1000 + latency.components.attoseconds / 1_000_000_000_000_000)
        state.withLock {
            $0.consecutiveFailures = 0
            $0.lastLatencyMs = milliseconds
            $0.gauge?.set(1)
        }
    }

    /// Counts failures that say something about the provider (not client mistakes or cancellations).
    public func recordFailure(_ error: GatewayError) {
        guard error.indicatesProviderFault else { return }
        state.withLock {
            $0.consecutiveFailures += 1
            if $0.consecutiveFailures >= Self.unhealthyAfter { $0.gauge?.set(0) }
        }
    }
}
