import Synchronization
import Telemetry

/// Whether a provider is healthy, from active probes and from real requests alike: `unhealthy_threshold`
/// consecutive failures, or an error rate over `error_rate_threshold` in the window, mark it unhealthy;
/// `healthy_threshold` consecutive successes with the error rate back under the threshold make it healthy
/// again (the seed's 3, 10 % in 2 minutes, and 2). Rate limiting (429) and the client's own mistakes say
/// nothing about health.
///
/// Probes also steer the provider's circuit breakers: turning unhealthy by probe opens them at once,
/// and a successful probe lets an open breaker try a request without waiting out its cooldown — so
/// traffic returns within one probe interval of the provider recovering.
public final class ProviderHealth: Sendable {
    public let name: String
    private let settings: HealthCheckConfig
    private let state: Mutex<State>

    struct State {
        var healthy = true
        var window: OutcomeWindow
        var consecutiveFailures = 0
        var consecutiveSuccesses = 0
        var lastLatencyMs: Int?
        /// `llm_provider_health_status{provider}`, kept equal to ``isHealthy``.
        var gauge: GaugeCell?
        var breakers: [CircuitBreaker] = []
    }

    public init(name: String, thresholds: HealthCheckConfig = .init()) {
        self.name = name
        self.settings = thresholds
        self.state = Mutex(State(window: OutcomeWindow(window: thresholds.errorRateWindow)))
    }

    /// Mirrors this provider's health into `gauge`, and lets probes steer `breakers`, from now on.
    func attach(gauge: GaugeCell, breakers: [CircuitBreaker]) {
        state.withLock {
            $0.gauge = gauge
            $0.breakers = breakers
            gauge.set($0.healthy ? 1 : 0)
        }
    }

    public var isHealthy: Bool { state.withLock { $0.healthy } }
    public var lastLatencyMs: Int? { state.withLock { $0.lastLatencyMs } }

    /// A request the provider served.
    public func recordSuccess(latency: Duration) {
        succeeded(latency: latency)
    }

    /// A request that failed; counted only when the failure is the provider's (not 429, not the client's).
    public func recordFailure(_ error: GatewayError) {
        guard error.indicatesProviderFault && error.status != 429 else { return }
        failed()
    }

    /// The outcome of an active probe.
    func recordProbe(success: Bool, latency: Duration) {
        if success {
            for breaker in succeeded(latency: latency) { breaker.endCooldown() }
        } else {
            let breakers = state.withLock { $0.breakers }
            if !failed() { for breaker in breakers { breaker.forceOpen() } }
        }
    }

    /// Notes a success; returns the breakers a probe should release.
    private func succeeded(latency: Duration) -> [CircuitBreaker] {
        state.withLock {
            $0.consecutiveFailures = 0
            $0.consecutiveSuccesses += 1
            $0.lastLatencyMs = Int(latency.nanosecondsClamped / 1_000_000)
            $0.window.record(failure: false, latency: nil, now: .now)
            if !$0.healthy && $0.consecutiveSuccesses >= settings.healthyThreshold && !errorRateExceeded($0.window) {
                $0.healthy = true
                $0.gauge?.set(1)
            }
            return $0.breakers
        }
    }

    /// Notes a failure; returns whether the provider is still healthy.
    @discardableResult
    private func failed() -> Bool {
        state.withLock {
            $0.consecutiveSuccesses = 0
            $0.consecutiveFailures += 1
            $0.window.record(failure: true, latency: nil, now: .now)
            if $0.healthy && ($0.consecutiveFailures >= settings.unhealthyThreshold || errorRateExceeded($0.window)) {
                $0.healthy = false
                $0.gauge?.set(0)
            }
            return $0.healthy
        }
    }

    private func errorRateExceeded(_ window: OutcomeWindow) -> Bool {
        let totals = window.totals(now: .now)
        return totals.attempts >= settings.minimumRequests && totals.errorRate > settings.errorRateThreshold
    }
}
