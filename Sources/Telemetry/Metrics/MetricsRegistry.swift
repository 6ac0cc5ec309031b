import Prometheus

/// The process's Prometheus registry and its text exposition, served on the metrics port.
///
/// Owned by the runtime and handed to whoever records; handles are created once at start-up,
/// never looked up by name per request.
public final class MetricsRegistry: Sendable {
    public let prometheus: PrometheusCollectorRegistry

    public init(version: String, revision: String) {
        prometheus = PrometheusCollectorRegistry()
        prometheus.makeGauge(
            name: "llm_gateway_build_info",
            labels: [("version", version), ("revision", revision)],
            help: "Build of the running gateway; always 1."
        ).set(Int64(1))
    }

    /// Prometheus text exposition format 0.0.4 of every metric.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        prometheus.emit(into: &buffer)
        return buffer
    }

    /// The `Content-Type` of ``exposition()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
