import AsyncHTTPClient
import Exporters
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import Telemetry
import Tracing

/// Builds span export from the OpenTelemetry environment variables: a batch processor feeding an
/// OTLP/HTTP exporter with its own HTTP client (so export never competes with upstream connections).
enum TracingSetup {
    struct Tracing {
        var sink: (any SpanSink)?
        var sampler: TraceSampler
        var services: [any Service]
    }

    static func make(environment: [String: String], metrics: MetricsRegistry, logger: Logger) -> Tracing {
        let sampler = TraceSampler.fromEnvironment(environment)
        let host = ProcessInfo.processInfo.hostName
        guard
            let configuration = OTLPExporterConfiguration.fromEnvironment(environment, serviceVersion: GatewayRuntime.version, hostName: host)
        else {
            return Tracing(sink: nil, sampler: sampler, services: [])
        }
        let client = exporterClient()
        let exporter = OTLPHTTPSpanExporter(configuration: configuration, client: client, logger: logger)
        let processor = BatchSpanProcessor(configuration: configuration, exporter: exporter, metrics: metrics)
        // Libraries instrumented with swift-distributed-tracing join the request's trace and export here too.
        InstrumentationSystem.bootstrap(GatewayTracer(sink: processor, sampler: sampler))
        logger.info(
            "exporting spans over OTLP/HTTP",
            metadata: ["endpoint": "\(configuration.endpoint)", "protocol": "\(configuration.format.rawValue)", "gzip": "\(configuration.gzip)"]
        )
        // The client closes after the processor has flushed (services shut down in reverse order).
        return Tracing(sink: processor, sampler: sampler, services: [ClientShutdown(client: client), processor])
    }

    /// An HTTP client for an exporter: its own pool, and a short connect timeout so a collector that
    /// is down costs seconds, not the default ten per attempt.
    static func exporterClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(30))
        // Exports are never traced: a span per export would feed the queue it drains.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes an HTTP client once everything listed after it has shut down.
    struct ClientShutdown: Service {
        let client: HTTPClient

        func run() async throws {
            try? await gracefulShutdown()
            try await client.shutdown()
        }
    }
}
