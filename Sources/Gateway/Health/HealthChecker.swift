import Logging
import ServiceLifecycle
import Telemetry

/// Probes every provider on `health_checks.interval` (the first probe right at start-up), each probe
/// bounded by `health_checks.timeout`; results feed ``ProviderHealth`` (and through it the breakers),
/// `llm_provider_health_checks_total` and `llm_provider_health_check_duration_seconds`. Each round probes
/// the providers and settings of the configuration running at its start, so a reload's providers are
/// probed from the next round on.
struct HealthChecker: Service {
    /// One provider to probe and where its results go.
    struct Target: Sendable {
        let provider: any ChatProvider
        let health: ProviderHealth
        let successes: CounterCell
        let failures: CounterCell
        let duration: HistogramCell

        init(provider: any ChatProvider, health: ProviderHealth, registry: MetricsRegistry) {
            self.provider = provider
            self.health = health
            let checks = registry.counter(MetricCatalog.healthChecksTotal)
            successes = checks.labels(provider.name, "success")
            failures = checks.labels(provider.name, "failure")
            duration = registry.histogram(MetricCatalog.healthCheckDuration).labels(provider.name)
        }
    }

    /// How long a round waits while checks are off, before looking at the configuration again.
    static let disabledRecheck = Duration.seconds(5)

    /// The targets and settings of the running configuration.
    let current: @Sendable () -> (targets: [Target], settings: HealthCheckConfig)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let (targets, settings) = current()
                let enabled = settings.enabled && !targets.isEmpty
                if enabled {
                    await withDiscardingTaskGroup { group in
                        for target in targets {
                            group.addTask { await probe(target, settings: settings) }
                        }
                    }
                }
                do {
                    try await Task.sleep(for: enabled ? settings.interval : Self.disabledRecheck)
                } catch {
                    return
                }
            }
        }
    }

    /// One probe: its outcome is recorded unless the checker itself is stopping.
    func probe(_ target: Target, settings: HealthCheckConfig) async {
        let started = ContinuousClock.now
        let provider = target.provider
        let timeout = settings.timeout
        let failure: GatewayError?
        do {
            try await Deadline.run(within: timeout) { () async throws(GatewayError) in try await provider.probe(timeout: timeout) }
            failure = nil
        } catch {
            failure = error
        }
        if Task.isCancelled { return }
        let elapsed = ContinuousClock.now - started
        target.duration.observe(elapsed.seconds)
        let wasHealthy = target.health.isHealthy
        target.health.recordProbe(success: failure == nil, latency: elapsed)
        (failure == nil ? target.successes : target.failures).increment()
        if wasHealthy != target.health.isHealthy {
            let metadata: Logger.Metadata = ["provider": "\(provider.name)", "error": "\(failure?.message ?? "")"]
            if wasHealthy {
                logger.error("provider became unhealthy", metadata: metadata)
            } else {
                logger.notice("provider is healthy again", metadata: ["provider": "\(provider.name)"])
            }
        }
    }
}
