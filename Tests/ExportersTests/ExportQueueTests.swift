import Testing

@testable import Exporters
@testable import Telemetry

@Suite("Export queue bounds")
struct ExportQueueTests {
    /// A queue of strings sized by their bytes, bounded at 1,000 bytes and `capacity` items.
    static func queue(capacity: Int, exporter: String, signal: String) -> (ExportQueue<String>, MetricsRegistry) {
        let registry = MetricsRegistry(version: "v", revision: "r")
        let queue = ExportQueue<String>(
            capacity: capacity,
            capacityBytes: 1000,
            size: { $0.utf8.count },
            exporter: exporter,
            signal: signal,
            metrics: registry
        )
        return (queue, registry)
    }

    @Test("the queue is bounded in bytes as well as count; what it refuses is counted, what it hands out frees room")
    func byteBound() {
        let (queue, registry) = Self.queue(capacity: 100, exporter: "loki", signal: "logs")
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

    @Test("batches come out in order, whole or in parts, and the room they held is free again")
    func order() {
        let (queue, _) = Self.queue(capacity: 8, exporter: "otlp", signal: "spans")
        for item in 0..<8 { queue.append("item-\(item)") }
        queue.append("refused")
        #expect(queue.takeBatch(upTo: 3) == ["item-0", "item-1", "item-2"])
        #expect(queue.takeBatch(upTo: 1) == ["item-3"])
        for item in 8..<12 { queue.append("item-\(item)") }
        #expect(queue.count == 8)
        #expect(queue.takeBatch(upTo: 5) == (4..<9).map { "item-\($0)" })
        #expect(queue.takeBatch(upTo: 100) == (9..<12).map { "item-\($0)" })
        #expect(queue.count == 0 && queue.takeBatch(upTo: 10).isEmpty)
        for item in 0..<8 { queue.append("again-\(item)") }
        #expect(queue.takeBatch(upTo: 8).count == 8)
    }
}
