/// The Exporters module ships what Telemetry records: spans over OTLP/HTTP and log lines to Loki.
/// Its exporters arrive with the tracing issue; this file names the module's purpose.
public enum Exporters {}
