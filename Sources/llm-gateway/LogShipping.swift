import AsyncHTTPClient
import Exporters
import Gateway
import ServiceLifecycle
import Telemetry

/// Builds the Loki push exporter from `logging.loki`, with its own HTTP client.
enum LogShipping {
    struct Loki {
        var exporter: LokiPushExporter
        /// The client first, so it closes after the exporter's final flush.
        var services: [any Service]
    }

    static func loki(_ settings: LokiSettings, metrics: MetricsRegistry) -> Loki {
        let client = TracingSetup.exporterClient()
        let configuration = LokiPushExporter.Configuration(url: settings.url, tenantID: settings.tenantID, environment: settings.environment)
        let exporter = LokiPushExporter(configuration: configuration, client: client, metrics: metrics)
        return Loki(exporter: exporter, services: [TracingSetup.ClientShutdown(client: client), exporter])
    }
}
