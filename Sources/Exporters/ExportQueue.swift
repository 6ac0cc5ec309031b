import Synchronization
import Telemetry

/// A bounded FIFO of items waiting for export, with the exporter's own health metrics.
///
/// Appending never waits: a full queue drops the new item and counts it (`queue_full`). Exporters take
/// batches from the front and report what became of them (delivered, failed, rejected, left at shutdown).
final class ExportQueue<Element: Sendable>: Sendable {
    private let capacity: Int
    private let items = Mutex<[Element]>([])
    private let exported: CounterCell
    private let droppedFull: CounterCell
    private let droppedFailed: CounterCell
    private let droppedRejected: CounterCell
    private let droppedAtShutdown: CounterCell
    private let duration: HistogramCell

    /// - Parameters: `exporter` (otlp, loki) and `signal` (spans, logs) label the metrics.
    init(capacity: Int, exporter: String, signal: String, metrics: MetricsRegistry) {
        self.capacity = capacity
        exported = metrics.counter(MetricCatalog.exportedItemsTotal).labels(exporter, signal)
        let dropped = metrics.counter(MetricCatalog.droppedItemsTotal)
        droppedFull = dropped.labels(exporter, signal, "queue_full")
        droppedFailed = dropped.labels(exporter, signal, "export_failed")
        droppedRejected = dropped.labels(exporter, signal, "rejected")
        droppedAtShutdown = dropped.labels(exporter, signal, "shutdown")
        duration = metrics.histogram(MetricCatalog.exportDuration).labels(exporter)
    }

    func append(_ element: Element) {
        let accepted = items.withLock { items -> Bool in
            guard items.count < capacity else { return false }
            items.append(element)
            return true
        }
        if !accepted { droppedFull.increment() }
    }

    var count: Int { items.withLock { $0.count } }

    /// Removes and returns up to `size` items from the front.
    func takeBatch(upTo size: Int) -> [Element] {
        items.withLock { items in
            let count = min(items.count, size)
            defer { items.removeFirst(count) }
            return Array(items.prefix(count))
        }
    }

    /// Records one export of `count` items taking `elapsed`: `rejected` of them refused, or all failed.
    func record(count: Int, elapsed: Duration, delivered: Bool, rejected: Int = 0) {
        duration.observe(elapsed)
        guard delivered else {
            droppedFailed.increment(by: UInt64(count))
            return
        }
        let refused = min(max(rejected, 0), count)
        exported.increment(by: UInt64(count - refused))
        droppedRejected.increment(by: UInt64(refused))
    }

    /// Empties the queue at shutdown, counting what could not be exported in time.
    func dropRemaining() {
        let left = items.withLock { items in
            defer { items.removeAll() }
            return items.count
        }
        droppedAtShutdown.increment(by: UInt64(left))
    }
}
