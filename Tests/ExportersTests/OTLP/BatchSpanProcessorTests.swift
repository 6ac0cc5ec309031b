import AsyncHTTPClient
import Logging
import Telemetry
import Testing

@testable import Exporters

@Suite("Batch span processor")
struct BatchSpanProcessorTests {
    /// The value of one series in `registry`'s exposition, or nil when it is not there.
    static func value(_ registry: MetricsRegistry, _ series: String) -> Double? {
        String(decoding: registry.exposition(format: .prometheusText), as: UTF8.self)
            .split(separator: "\n")
            .first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test("a batch is exported as soon as it fills, without waiting for the schedule delay or a tick")
    func fullBatchWakesTheExporter() async throws {
        // Nothing listens on port 1: the export is attempted, fails at once and is counted as failed.
        var configuration = OTLPExporterConfiguration(endpoint: "http://127.0.0.1:1/v1/traces")
        configuration.scheduleDelay = .seconds(3600)
        configuration.maxExportBatchSize = 4
        configuration.maxQueueSize = 16
        configuration.exportTimeout = .milliseconds(300)
        configuration.timeout = .milliseconds(300)
        let registry = MetricsRegistry(version: "t", revision: "t")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let exporter = OTLPHTTPSpanExporter(configuration: configuration, client: client, logger: Logger(label: "test"))
        // Neither the delay nor a tick comes within the test: only the span that fills the batch can start it.
        let processor = BatchSpanProcessor(configuration: configuration, exporter: exporter, metrics: registry, tick: .seconds(3600))
        let running = Task { try await processor.run() }
        let failed = #"llm_gateway_export_dropped_items_total{exporter="otlp",signal="spans",reason="export_failed"}"#
        for index in 0..<3 { processor.submit(Self.span(index)) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(Self.value(registry, failed) == 0, "three spans are not a batch")
        processor.submit(Self.span(3))
        for _ in 0..<100 where Self.value(registry, failed) != 4 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(Self.value(registry, failed) == 4)
        running.cancel()
        try? await running.value
        try await client.shutdown()
    }

    static func span(_ index: Int) -> SpanRecord {
        SpanRecord(
            traceID: TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!,
            spanID: SpanID(0x00f0_67aa_0ba9_02b0 + UInt64(index)),
            parentSpanID: nil,
            name: "span \(index)",
            kind: .server,
            startTimeUnixNano: 1_700_000_000_000_000_000,
            endTimeUnixNano: 1_700_000_000_250_000_000
        )
    }
}
