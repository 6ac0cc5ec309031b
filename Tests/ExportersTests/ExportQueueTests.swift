import Testing

@testable import Exporters
@testable import Telemetry

@Suite("Export queue bounds")
struct ExportQueueTests {
    @Test("the queue is bounded in bytes as well as count; what it refuses is counted, what it hands out frees room")
    func byteBound() {
        let registry = MetricsRegistry(version: "v", revision: "r")
        let queue = ExportQueue<String>(
            capacity: 100,
            capacityBytes: 1000,
            size: { $0.utf8.count },
            exporter: "loki",
            signal: "logs",
            metrics: registry
        )
        let line = String(repeating: "x", count: 300)
        for _ in 0..<4 { queue.append(line) }
        #expect(queue.count == 3, "a fourth 300-byte line would pass 1000 bytes")
        #expect(queue.takeBatch(upTo: 2).count == 2)
        queue.append(line)
        queue.append(line)
        #expect(queue.count == 3)
        let scrape = String(decoding: registry.exposition(format: .prometheusText), as: UTF8.self)
        #expect(scrape.contains(#"llm_gateway_export_dropped_items_total{exporter="loki",signal="logs",reason="queue_full"} 1"#))
    }
}
