import ArgumentParser
import Foundation
import Gateway
import Logging
import NIOCore
import NIOPosix
import Telemetry

/// `llm-gateway serve [--config PATH]`: runs until SIGTERM/SIGINT, then drains and exits 0.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway (the embedded default — a mock provider, in-memory state — without --config)."
    )

    @Option(name: .shortAndLong, help: "Path to config.yaml. Environment variables override it; SIGHUP reloads it.")
    var config: String?

    @Option(help: "Also reload the config file when its contents change, looking every this many seconds (0: only on SIGHUP).")
    var watchConfigSeconds: Double = 0

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        // Swift concurrency's jobs run on NIO's event loops instead of a pool of their own: a request's task
        // then runs on the thread that reads its socket, without a thread switch at every await on I/O.
        // Nothing the gateway runs in a task blocks its thread (log lines go to the log writer's thread).
        if environment["LLM_GATEWAY_SEPARATE_TASK_POOL"] == nil {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        let source = config.map { ConfigSource(path: $0, environment: environment) }
        let gatewayConfig: GatewayConfig
        var configHash = ConfigSource.embeddedHash
        do {
            if let source {
                (gatewayConfig, configHash) = try source.load()
            } else {
                gatewayConfig = try ConfigLoader.load(path: nil, environment: environment)
            }
        } catch {
            FileHandle.standardError.write(Data("invalid configuration:\n\(error)\n".utf8))
            throw ExitCode(1)
        }
        let metrics = MetricsRegistry(version: GatewayRuntime.version, revision: "unknown")
        let loki = gatewayConfig.logging.loki.map { LogShipping.loki($0, metrics: metrics) }
        let sink = LoggingSetup.sink(gatewayConfig.logging)
        let logger = LoggingSetup.bootstrap(gatewayConfig.logging, sink: sink, shipper: loki?.exporter)
        sink.countDrops(in: metrics.counter(MetricCatalog.droppedItemsTotal).labels(sink.name, "logs", "queue_full"))
        defer { sink.flush() }
        if config == nil {
            logger.notice("no --config given; running the embedded default (mock provider, in-memory state)")
        }
        if let settings = gatewayConfig.logging.loki {
            logger.info("pushing logs to Loki", metadata: ["url": "\(settings.url)"])
        }
        if !gatewayConfig.auth.isEnabled {
            logger.warning("auth is off: no auth.api_keys configured, every client is accepted")
        }
        let tracing = TracingSetup.make(environment: environment, metrics: metrics, logger: logger)
        let runtime = GatewayRuntime(
            config: gatewayConfig,
            logger: logger,
            metrics: metrics,
            spans: tracing.sink,
            sampler: tracing.sampler,
            source: source,
            configHash: configHash,
            watchInterval: source != nil && watchConfigSeconds > 0 ? .milliseconds(Int64(min(watchConfigSeconds, 86400) * 1000)) : nil
        )
        let server = gatewayConfig.server
        let group = runtime.serviceGroup(
            apiBound: { port in logger.info("API listening", metadata: ["host": "\(server.host)", "port": "\(port)"]) },
            metricsBound: { port in logger.info("metrics listening", metadata: ["host": "\(server.host)", "port": "\(port)", "path": "/metrics"]) },
            exporters: tracing.services + (loki?.services ?? [])
        )
        logger.info(
            "llm-gateway starting",
            metadata: [
                "version": "\(GatewayRuntime.version)",
                "config_hash": "\(configHash)",
                "providers": "\(gatewayConfig.enabledProviders.map(\.name).joined(separator: ","))",
                "models": "\(runtime.publicModels.joined(separator: ","))",
            ]
        )
        do {
            try await group.run()
        } catch {
            // The graceful-shutdown deadline passed and open work was cancelled: still a shutdown we asked for.
            logger.warning("shutdown did not finish in time; remaining requests were cancelled", metadata: ["error": "\(error)"])
        }
        logger.info("llm-gateway stopped")
    }
}
