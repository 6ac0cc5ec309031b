import Synchronization
import Telemetry

/// One deployment's circuit breaker, with the seed's trigger of consecutive failures: closed → open after
/// `failureThreshold` provider failures in a row; open deployments are skipped; after `cooldown` one probe
/// request is let through (half-open); `successThreshold` successes close it again, a failure re-opens it.
final class CircuitBreaker: Sendable {
    enum State: Sendable, Equatable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probing: Bool, successes: Int)

        /// `llm_circuit_breaker_state`: 0 closed, 1 half-open, 2 open.
        var gaugeValue: Double {
            switch self {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
        }
    }

    private let settings: CircuitBreakerConfig
    private let state = Mutex(State.closed(failures: 0))
    private let gauge: LazySeries<GaugeCell>

    init(settings: CircuitBreakerConfig, gauge: LazySeries<GaugeCell>) {
        self.settings = settings
        self.gauge = gauge
    }

    var current: State { state.withLock { $0 } }

    /// Whether a request may go to this deployment now (an open breaker past its cooldown lets one probe through).
    func permit(now: ContinuousClock.Instant = .now) -> Bool {
        update { state in
            switch state {
            case .closed:
                return true
            case .open(let until):
                guard now >= until else { return false }
                state = .halfOpen(probing: true, successes: 0)
                return true
            case .halfOpen(let probing, let successes):
                guard !probing else { return false }
                state = .halfOpen(probing: true, successes: successes)
                return true
            }
        }
    }

    func recordSuccess() {
        update { state in
            switch state {
            case .closed:
                state = .closed(failures: 0)
            case .halfOpen(_, let successes):
                state = successes + 1 >= settings.successThreshold ? .closed(failures: 0) : .halfOpen(probing: false, successes: successes + 1)
            case .open:
                break
            }
        }
    }

    /// Counts failures that say something about the deployment's health — not the client's mistakes, not
    /// cancellations, and not 429: a rate-limited deployment is busy, not broken, and is retried or failed over
    /// without being taken out of rotation.
    func recordFailure(_ error: GatewayError, now: ContinuousClock.Instant = .now) {
        guard error.indicatesProviderFault && error.status != 429 else {
            // The deployment answered, so a probe in flight is over.
            update { state in
                if case .halfOpen(_, let successes) = state { state = .halfOpen(probing: false, successes: successes) }
            }
            return
        }
        update { state in
            switch state {
            case .closed(let failures):
                state = failures + 1 >= settings.failureThreshold ? .open(until: now + settings.cooldown) : .closed(failures: failures + 1)
            case .halfOpen:
                state = .open(until: now + settings.cooldown)
            case .open:
                break
            }
        }
    }

    private func update<Result>(_ change: (inout State) -> Result) -> Result {
        let (result, value) = state.withLock { state -> (Result, Double) in
            let result = change(&state)
            return (result, state.gaugeValue)
        }
        gauge.cell.set(value)
        return result
    }
}
