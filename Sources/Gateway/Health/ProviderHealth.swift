import Synchronization

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
        }
    }

    /// Counts failures that say something about the provider (not client mistakes or cancellations).
    public func recordFailure(_ error: GatewayError) {
        guard error.isRetryable || error.errorTypeLabel == "invalid_response" else { return }
        state.withLock { $0.consecutiveFailures += 1 }
    }
}
