import Foundation
import Telemetry

/// The OpenTelemetry SDK environment variables the span exporter honours.
///
/// Tracing is on when `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set and
/// `OTEL_SDK_DISABLED` is not `true`; otherwise no span is recorded at all.
public struct OTLPExporterConfiguration: Sendable {
    public var endpoint: String
    public var format: OTLPTraceEncoder.WireFormat = .protobuf
    public var gzip = true
    public var headers: [(String, String)] = []
    public var timeout: Duration = .seconds(10)
    public var scheduleDelay: Duration = .milliseconds(5000)
    public var maxQueueSize = 2048
    /// The queue's bound in bytes (spans' estimated size), whatever their count.
    public var maxQueueBytes = 16 * 1024 * 1024
    public var maxExportBatchSize = 512
    public var exportTimeout: Duration = .milliseconds(30000)
    public var serviceName = "llm-gateway"
    public var resourceAttributes: [SpanAttribute] = []

    /// Reads the environment; nil when tracing is off.
    public static func fromEnvironment(_ environment: [String: String], serviceVersion: String, hostName: String) -> OTLPExporterConfiguration? {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return nil }
        let endpoint: String
        if let traces = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], !traces.isEmpty {
            endpoint = traces
        } else if var base = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !base.isEmpty {
            while base.hasSuffix("/") { base.removeLast() }
            endpoint = base + "/v1/traces"
        } else {
            return nil
        }
        var configuration = OTLPExporterConfiguration(endpoint: endpoint)
        if let value = environment["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] ?? environment["OTEL_EXPORTER_OTLP_PROTOCOL"],
            let format = OTLPTraceEncoder.WireFormat(rawValue: value)
        {
            configuration.format = format
        }
        if let value = environment["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"] ?? environment["OTEL_EXPORTER_OTLP_COMPRESSION"] {
            configuration.gzip = value.lowercased() != "none"
        }
        configuration.headers = parsePairs(environment["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] ?? environment["OTEL_EXPORTER_OTLP_HEADERS"])
        func milliseconds(_ name: String) -> Duration? {
            environment[name].flatMap(Int64.init).flatMap { $0 >= 0 ? .milliseconds($0) : nil }
        }
        configuration.timeout =
            milliseconds("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") ?? milliseconds("OTEL_EXPORTER_OTLP_TIMEOUT") ?? configuration.timeout
        configuration.scheduleDelay = milliseconds("OTEL_BSP_SCHEDULE_DELAY") ?? configuration.scheduleDelay
        configuration.exportTimeout = milliseconds("OTEL_BSP_EXPORT_TIMEOUT") ?? configuration.exportTimeout
        if let size = environment["OTEL_BSP_MAX_QUEUE_SIZE"].flatMap(Int.init), size > 0 { configuration.maxQueueSize = size }
        if let size = environment["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"].flatMap(Int.init), size > 0 {
            configuration.maxExportBatchSize = min(size, configuration.maxQueueSize)
        }
        var attributes: [String: String] = ["service.version": serviceVersion, "host.name": hostName]
        for (key, value) in parsePairs(environment["OTEL_RESOURCE_ATTRIBUTES"]) { attributes[key] = value }
        if let name = environment["OTEL_SERVICE_NAME"], !name.isEmpty {
            attributes["service.name"] = name
        }
        configuration.serviceName = attributes["service.name"] ?? "llm-gateway"
        attributes["service.name"] = configuration.serviceName
        configuration.resourceAttributes = attributes.sorted { $0.key < $1.key }.map { .string($0.key, $0.value) }
        return configuration
    }

    /// `key=value,key2=value2` with percent-encoded values (the W3C Baggage-like form the spec uses).
    static func parsePairs(_ text: String?) -> [(String, String)] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: ",").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces).removingPercentEncoding ?? String(parts[1])
            return key.isEmpty ? nil : (key, value)
        }
    }
}
