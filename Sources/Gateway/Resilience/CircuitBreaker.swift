import Logging
import Synchronization
import Telemetry

/// One deployment's circuit breaker with the seed's three triggers: `failureThreshold` provider failures in
/// a row, an error rate above `errorRateThreshold` over `errorRateWindow`, or a mean latency above
/// `latencyThreshold` over `latencyWindow` (each window needs `minimumRequests` attempts first). Active
/// health checks can open it too. Open deployments are skipped; after `cooldown` (or as soon as a health
/// probe succeeds) one request is let through (half-open); `successThreshold` successes close it again, a
/// failure re-opens it.
///
/// A 429 does not count against it — a rate-limited deployment is busy, not broken — but its `Retry-After`
/// keeps the deployment out of rotation for that long, so other requests fail over instead of piling on.
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

    /// Why a breaker opened: the `reason` label of `llm_circuit_breaker_opens_total`.
    enum OpenReason: String, Sendable, CaseIterable {
        case consecutiveFailures = "consecutive_failures"
        case errorRate = "error_rate"
        case latency
        case probeFailed = "probe_failed"
        case healthCheck = "health_check"
    }

    /// Where a breaker reports its state and transitions.
    struct Signals: Sendable {
        var provider: String
        var model: String
        var state: LazySeries<GaugeCell>
        var opens: [OpenReason: LazySeries<CounterCell>]
        var logger: Logger

        init(provider: String, model: String, registry: MetricsRegistry, logger: Logger) {
            self.provider = provider
            self.model = model
            self.state = LazySeries(registry.gauge(MetricCatalog.circuitBreakerState), provider, model)
            let opens = registry.counter(MetricCatalog.circuitBreakerOpensTotal)
            self.opens = Dictionary(uniqueKeysWithValues: OpenReason.allCases.map { ($0, LazySeries(opens, provider, model, $0.rawValue)) })
            self.logger = logger
        }

        /// Creates the deployment's series now: its state (0, closed) and its opens by reason (0).
        func materialize() {
            state.materialize()
            for series in opens.values { series.materialize() }
        }
    }

    private struct Inner {
        var state = State.closed(failures: 0)
        var errors: OutcomeWindow
        var latencies: OutcomeWindow
        /// A 429's `Retry-After` holding the deployment back until then, and the 429 itself.
        var throttle: (until: ContinuousClock.Instant, error: GatewayError)?
        /// Set by a change that opened the breaker; reported once the lock is released.
        var opened: OpenReason?
    }

    private let settings: CircuitBreakerConfig
    private let inner: Mutex<Inner>
    private let signals: Signals

    /// Creates this deployment's state and opens series now, at 0 (see ``Signals/materialize()``).
    func materializeSeries() {
        signals.materialize()
    }

    init(settings: CircuitBreakerConfig, signals: Signals) {
        self.settings = settings
        self.signals = signals
        self.inner = Mutex(Inner(errors: OutcomeWindow(window: settings.errorRateWindow), latencies: OutcomeWindow(window: settings.latencyWindow)))
    }

    var current: State { inner.withLock { $0.state } }

    /// Until when a `Retry-After` keeps this deployment out of rotation, and the 429 that asked for it.
    func throttle(now: ContinuousClock.Instant = .now) -> (until: ContinuousClock.Instant, error: GatewayError)? {
        inner.withLock { inner in inner.throttle.flatMap { $0.until > now ? $0 : nil } }
    }

    /// Whether ``permit(now:)`` would let a request through, without claiming the half-open probe.
    func isAvailable(now: ContinuousClock.Instant = .now) -> Bool {
        inner.withLock { inner in
            if let throttle = inner.throttle, throttle.until > now { return false }
            switch inner.state {
            case .closed: return true
            case .open(let until): return now >= until
            case .halfOpen(let probing, _): return !probing
            }
        }
    }

    /// Whether a request may go to this deployment now (an open breaker past its cooldown lets one probe through).
    func permit(now: ContinuousClock.Instant = .now) -> Bool {
        update { inner in
            if let throttle = inner.throttle, throttle.until > now { return false }
            switch inner.state {
            case .closed:
                return true
            case .open(let until):
                guard now >= until else { return false }
                inner.state = .halfOpen(probing: true, successes: 0)
                return true
            case .halfOpen(let probing, let successes):
                guard !probing else { return false }
                inner.state = .halfOpen(probing: true, successes: successes)
                return true
            }
        }
    }

    /// A successful attempt; `latency` is the time until its answer started (what the latency trigger watches).
    func recordSuccess(latency: Duration? = nil, now: ContinuousClock.Instant = .now) {
        update { inner in
            switch inner.state {
            case .closed:
                inner.state = .closed(failures: 0)
                inner.errors.record(failure: false, latency: nil, now: now)
                guard let latency, settings.latencyThreshold > .zero else { return }
                inner.latencies.record(failure: false, latency: latency, now: now)
                let window = inner.latencies.totals(now: now)
                if window.latencySamples >= settings.minimumRequests && window.meanLatency > settings.latencyThreshold {
                    open(&inner, .latency, now: now)
                }
            case .halfOpen(_, let successes):
                inner.state =
                    successes + 1 >= settings.successThreshold ? .closed(failures: 0) : .halfOpen(probing: false, successes: successes + 1)
            case .open:
                break
            }
        }
    }

    /// Counts failures that say something about the deployment's health — not the client's mistakes, not
    /// cancellations, and not 429 (which only holds the deployment back for its `Retry-After`).
    func recordFailure(_ error: GatewayError, now: ContinuousClock.Instant = .now) {
        update { inner in
            guard error.indicatesProviderFault && error.status != 429 else {
                if error.status == 429, let wait = UpstreamAttempts.retryAfter(of: error) {
                    inner.throttle = (now + min(wait, settings.cooldown), error)
                }
                // The deployment answered, so a probe in flight is over.
                if case .halfOpen(_, let successes) = inner.state { inner.state = .halfOpen(probing: false, successes: successes) }
                return
            }
            switch inner.state {
            case .closed(let failures):
                inner.state = .closed(failures: failures + 1)
                inner.errors.record(failure: true, latency: nil, now: now)
                let window = inner.errors.totals(now: now)
                if failures + 1 >= settings.failureThreshold {
                    open(&inner, .consecutiveFailures, now: now)
                } else if window.attempts >= settings.minimumRequests && window.errorRate > settings.errorRateThreshold {
                    open(&inner, .errorRate, now: now)
                }
            case .halfOpen:
                open(&inner, .probeFailed, now: now)
            case .open:
                break
            }
        }
    }

    /// Active health checks found the provider unhealthy: take the deployment out of rotation now.
    func forceOpen(now: ContinuousClock.Instant = .now) {
        update { inner in
            if case .open = inner.state { return }
            open(&inner, .healthCheck, now: now)
        }
    }

    /// A health probe succeeded: an open breaker need not wait out its cooldown to let a request probe.
    func endCooldown(now: ContinuousClock.Instant = .now) {
        update { inner in
            if case .open(let until) = inner.state, until > now { inner.state = .open(until: now) }
        }
    }

    private func open(_ inner: inout Inner, _ reason: OpenReason, now: ContinuousClock.Instant) {
        inner.state = .open(until: now + settings.cooldown)
        inner.errors.reset()
        inner.latencies.reset()
        inner.opened = reason
    }

    private func update<Result>(_ change: (inout Inner) -> Result) -> Result {
        let (result, value, opened) = inner.withLock { inner -> (Result, Double, OpenReason?) in
            let result = change(&inner)
            defer { inner.opened = nil }
            return (result, inner.state.gaugeValue, inner.opened)
        }
        signals.state.cell.set(value)
        if let opened {
            signals.opens[opened]?.cell.increment()
            signals.logger.warning(
                "circuit breaker opened",
                metadata: ["provider": "\(signals.provider)", "model": "\(signals.model)", "reason": "\(opened.rawValue)"]
            )
        }
        return result
    }
}
