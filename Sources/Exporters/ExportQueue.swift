import Synchronization
import Telemetry

/// A FIFO of items waiting for export, bounded in count and in bytes, with the exporter's own health metrics.
///
/// Appending never waits: a full queue (either bound) drops the new item and counts it (`queue_full`). Exporters take
/// batches from the front and report what became of them (delivered, failed, rejected, left at shutdown).
final class ExportQueue<Element: Sendable>: Sendable {
    private let capacity: Int
    private let capacityBytes: Int
    private let size: @Sendable (Element) -> Int
    /// The items, their estimated sizes (measured once, when appended) and the sizes' total. Items are moved
    /// in and out, never copied: a span is a dozen strings and arrays.
    private let items = Mutex<Queued>(Queued())

    private struct Queued: ~Copyable {
        var elements: [Element] = []
        var sizes: [Int] = []
        var bytes = 0
    }
    private let exported: CounterCell
    private let droppedFull: CounterCell
    private let droppedFailed: CounterCell
    private let droppedRejected: CounterCell
    private let droppedAtShutdown: CounterCell
    private let duration: HistogramCell

    /// - Parameters: `exporter` (otlp, loki) and `signal` (spans, logs) label the metrics; `capacityBytes`
    ///   bounds the items' total `size`.
    init(
        capacity: Int,
        capacityBytes: Int,
        size: @escaping @Sendable (Element) -> Int,
        exporter: String,
        signal: String,
        metrics: MetricsRegistry
    ) {
        self.capacity = capacity
        self.capacityBytes = capacityBytes
        self.size = size
        exported = metrics.counter(MetricCatalog.exportedItemsTotal).labels(exporter, signal)
        let dropped = metrics.counter(MetricCatalog.droppedItemsTotal)
        droppedFull = dropped.labels(exporter, signal, "queue_full")
        droppedFailed = dropped.labels(exporter, signal, "export_failed")
        droppedRejected = dropped.labels(exporter, signal, "rejected")
        droppedAtShutdown = dropped.labels(exporter, signal, "shutdown")
        duration = metrics.histogram(MetricCatalog.exportDuration).labels(exporter)
    }

    func append(_ element: consuming Element) {
        let bytes = size(element)
        var pending: Element? = consume element
        let accepted = items.withLock { queue -> Bool in
            guard queue.elements.count < capacity, queue.bytes.addingReportingOverflow(bytes).partialValue <= capacityBytes else { return false }
            queue.elements.append(pending.take()!)
            queue.sizes.append(bytes)
            queue.bytes += bytes
            return true
        }
        if !accepted { droppedFull.increment() }
    }

    var count: Int { items.withLock { $0.elements.count } }

    /// Removes and returns up to `size` items from the front.
    func takeBatch(upTo size: Int) -> [Element] {
        items.withLock { queue in
            let count = min(queue.elements.count, size)
            if count == queue.elements.count {
                // The usual case, everything queued: the arrays change hands.
                queue.bytes = 0
                queue.sizes.removeAll(keepingCapacity: true)
                return Self.takeAll(&queue.elements)
            }
            queue.bytes -= queue.sizes[..<count].reduce(0, +)
            queue.sizes.removeFirst(count)
            defer { queue.elements.removeFirst(count) }
            return Array(queue.elements[..<count])
        }
    }

    private static func takeAll(_ elements: inout [Element]) -> [Element] {
        var taken: [Element] = []
        swap(&taken, &elements)
        return taken
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
        let left = items.withLock { queue in
            defer { queue = Queued() }
            return queue.elements.count
        }
        droppedAtShutdown.increment(by: UInt64(left))
    }
}
