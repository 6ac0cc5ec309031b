/// `circuit_breaker:` of a provider — applies to each of its deployments. The seed's three triggers:
/// consecutive failures, error rate over a window, mean latency over a window.
public struct CircuitBreakerConfig: Sendable, Equatable {
    /// Consecutive provider failures that open the breaker (the seed's 3).
    public var failureThreshold = 3
    /// How long an open breaker skips the deployment before letting one probe through.
    public var cooldown: Duration = .seconds(30)
    /// Successful probes that close it again.
    public var successThreshold = 2
    /// Share of failed attempts (0…1) over `errorRateWindow` that opens the breaker (the seed's 10 %).
    public var errorRateThreshold = 0.10
    public var errorRateWindow: Duration = .seconds(120)
    /// Mean latency (time to the first byte relayed) over `latencyWindow` that opens the breaker; zero disables.
    public var latencyThreshold: Duration = .seconds(2)
    public var latencyWindow: Duration = .seconds(300)
    /// Attempts a window needs before its rate or mean is trusted (a single failure is not a 100 % error rate).
    public var minimumRequests = 20

    public init() {}
}

/// `health_checks:` — active, provider-specific probes (the seed's failover policy: every 30 s, 10 s
/// timeout, unhealthy after 3 failures or an error rate over 10 % in 2 minutes, healthy after 2 successes).
/// Real requests count as well.
public struct HealthCheckConfig: Sendable, Equatable {
    public var enabled = true
    public var interval: Duration = .seconds(30)
    public var timeout: Duration = .seconds(10)
    public var unhealthyThreshold = 3
    public var healthyThreshold = 2
    /// Share of failed requests and probes over `errorRateWindow` that also marks a provider unhealthy
    /// (the seed's error-rate trigger: 10 % for 2 minutes), once the window has `minimumRequests`.
    public var errorRateThreshold = 0.10
    public var errorRateWindow: Duration = .seconds(120)
    public var minimumRequests = 20

    public init() {}
}

/// The four time limits of one upstream attempt.
public struct UpstreamTimeouts: Sendable, Equatable {
    /// Establishing the connection.
    public var connect: Duration
    /// Until the answer starts: the response head, and for a stream its first event.
    public var firstByte: Duration
    /// The longest gap between two chunks of the body.
    public var idle: Duration
    /// The whole attempt, body included.
    public var total: Duration

    public init(connect: Duration, firstByte: Duration, idle: Duration, total: Duration) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
        self.total = total
    }
}
