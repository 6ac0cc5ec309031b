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

    /// Taken items leave a nil behind until the front is compacted: moving an item out never copies it.
    private struct Queued: ~Copyable {
        var items: [(element: Element, bytes: Int)?] = []
        /// The first item not yet taken.
        var head = 0
        var bytes = 0

        var count: Int { items.count - head }
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

    /// Queues `element`; returns how many items the queue holds with it, or nil when it was dropped (and counted).
    @discardableResult
    func append(_ element: consuming Element) -> Int? {
        let bytes = size(element)
        var pending: Element? = consume element
        let count = items.withLock { queue -> Int? in
            guard queue.count < capacity, queue.bytes.addingReportingOverflow(bytes).partialValue <= capacityBytes else { return nil }
            queue.items.append((pending.take()!, bytes))
            queue.bytes += bytes
            return queue.count
        }
        if count == nil { droppedFull.increment() }
        return count
    }

    var count: Int { items.withLock { $0.count } }

    /// Whether the queue holds half of either bound: its exporter is falling behind and must not give way.
    var isFillingUp: Bool {
        items.withLock { $0.count >= capacity / 2 || $0.bytes >= capacityBytes / 2 }
    }

    /// Removes and returns up to `size` items from the front.
    func takeBatch(upTo size: Int) -> [Element] {
        items.withLock { queue in
            let end = queue.head + min(queue.count, size)
            var batch: [Element] = []
            batch.reserveCapacity(end - queue.head)
            for index in queue.head..<end {
                let item = queue.items[index].take()!
                batch.append(item.element)
                queue.bytes -= item.bytes
            }
            queue.head = end
            if queue.head == queue.items.count {
                queue.items.removeAll(keepingCapacity: true)
                queue.head = 0
            } else if queue.head * 2 > queue.items.count {
                // Only nils before the head: compacting moves the rest down, copying none of it.
                queue.items.removeFirst(queue.head)
                queue.head = 0
            }
            return batch
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
        let left = items.withLock { queue in
            defer { queue = Queued() }
            return queue.count
        }
        droppedAtShutdown.increment(by: UInt64(left))
    }
}
