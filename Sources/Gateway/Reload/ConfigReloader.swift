import Logging
import Synchronization
import Telemetry

/// Reloads the configuration file on request (SIGHUP, or the file watch seeing new bytes).
///
/// The file is validated exactly as `check-config` and start-up validate it. Valid, it becomes a new
/// ``ConfigGeneration`` swapped in at once; settings only a restart can change keep their running values and
/// are named in a warning. Invalid, the running configuration stays and every problem is logged with its key
/// path. Either way `llm_config_reloads_total{result}` counts it; `llm_config_last_reload_successful`,
/// `llm_config_last_reload_success_timestamp_seconds` and `llm_config_info{hash}` say what is running.
final class ConfigReloader: Sendable {
    private struct Hashes {
        /// The file the running configuration came from.
        var running: String
        /// The file last read (a refused file is not read again by the watch until its bytes change).
        var tried: String
    }

    private let source: ConfigSource?
    private let active: ActiveConfig
    private let shared: ConfigGeneration.Shared
    private let succeeded: CounterCell
    private let failed: CounterCell
    private let lastSuccessful: GaugeCell
    private let lastSuccess: GaugeCell
    private let info: MetricFamily<GaugeCell>
    private let providerHealth: MetricFamily<GaugeCell>
    private let breakerStates: MetricFamily<GaugeCell>
    private let hashes: Mutex<Hashes>
    private let logger: Logger

    /// - Parameters:
    ///   - source: the file to re-read; nil (the embedded default) has nothing to reload.
    ///   - hash: the hash of the file the running configuration was read from.
    init(source: ConfigSource?, hash: String, active: ActiveConfig, shared: ConfigGeneration.Shared) {
        self.source = source
        self.active = active
        self.shared = shared
        logger = shared.logger
        let registry = shared.metrics
        let reloads = registry.counter(MetricCatalog.configReloadsTotal)
        succeeded = reloads.labels("success")
        failed = reloads.labels("failure")
        lastSuccessful = registry.gauge(MetricCatalog.configLastReloadSuccessful).labels()
        lastSuccess = registry.gauge(MetricCatalog.configLastReloadSuccess).labels()
        info = registry.gauge(MetricCatalog.configInfo)
        providerHealth = registry.gauge(MetricCatalog.providerHealthStatus)
        breakerStates = registry.gauge(MetricCatalog.circuitBreakerState)
        hashes = Mutex(Hashes(running: hash, tried: hash))
        markRunning(hash, replacing: nil)
    }

    /// The hash of the file the running configuration came from.
    var runningHash: String { hashes.withLock { $0.running } }

    /// Re-reads the file and swaps in what it says; false when it was refused (nothing changed then).
    /// `trigger` (`signal`, `file`) is logged.
    @discardableResult
    func reload(trigger: String) -> Bool {
        guard let source else { return true }
        do throws(ConfigError) {
            return apply(try source.read(), from: source, trigger: trigger)
        } catch {
            refused(error, path: source.path, trigger: trigger)
            return false
        }
    }

    /// Reloads when the file's bytes differ from the ones last read (what the file watch calls).
    func reloadIfChanged() {
        guard let source, let file = try? source.read() else { return }
        if hashes.withLock({ $0.tried != file.hash }) { apply(file, from: source, trigger: "file") }
    }

    /// Validates `file` and, when valid, swaps in the generation it describes.
    @discardableResult
    private func apply(_ file: (text: String, hash: String), from source: ConfigSource, trigger: String) -> Bool {
        // One reload at a time; building a generation does not suspend.
        hashes.withLock { hashes in
            hashes.tried = file.hash
            var config: GatewayConfig
            do throws(ConfigError) {
                config = try source.parse(file.text)
            } catch {
                refused(error, path: source.path, trigger: trigger)
                return false
            }
            let running = active.current
            for key in RestartOnlySettings.pin(&config, to: running.config) {
                logger.warning("configuration change needs a restart; the running value is kept", metadata: ["key": "\(key)"])
            }
            let next = ConfigGeneration(config: config, shared: shared, previous: running)
            active.replace(with: next)
            forgetSeries(of: running, keptBy: next)
            markRunning(file.hash, replacing: hashes.running)
            hashes.running = file.hash
            succeeded.increment()
            logger.notice(
                "configuration reloaded",
                metadata: [
                    "trigger": "\(trigger)",
                    "hash": "\(file.hash)",
                    "providers": "\(config.enabledProviders.map(\.name).joined(separator: ","))",
                    "models": "\(next.router.publicModels.joined(separator: ","))",
                ]
            )
            return true
        }
    }

    /// A file that could not be read or is not valid: counted, and every problem logged with its key path.
    private func refused(_ error: ConfigError, path: String, trigger: String) {
        failed.increment()
        lastSuccessful.set(0)
        logger.error(
            "configuration reload refused; the running configuration stays",
            metadata: ["trigger": "\(trigger)", "path": "\(path)", "problems": "\(error.problems.count)"]
        )
        for problem in error.problems {
            logger.error("configuration problem", metadata: ["key": "\(problem.path)", "problem": "\(problem.message)"])
        }
    }

    /// The series that say which file runs: its hash (the one it replaces no longer exposed), and that it loaded now.
    private func markRunning(_ hash: String, replacing previous: String?) {
        if let previous, previous != hash { info.remove([previous]) }
        info.labels(hash).set(1)
        lastSuccessful.set(1)
        lastSuccess.set(WallClock.secondsSince1970())
    }

    /// Stops exposing the health of providers and the breaker state of deployments the new configuration no
    /// longer has: a removed provider that was unhealthy, or a removed deployment whose breaker was open,
    /// would otherwise keep an alert firing for something that is gone.
    private func forgetSeries(of replaced: ConfigGeneration, keptBy next: ConfigGeneration) {
        let providers = Set(next.healthTargets.map(\.provider.name))
        for target in replaced.healthTargets where !providers.contains(target.provider.name) {
            providerHealth.remove([target.provider.name])
        }
        for labels in replaced.router.deploymentLabels.subtracting(next.router.deploymentLabels) {
            breakerStates.remove(labels)
        }
    }
}
