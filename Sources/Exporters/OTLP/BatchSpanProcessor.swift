import Logging
import ServiceLifecycle
import Synchronization
import Telemetry

/// Queues finished spans and exports them in batches, on the OpenTelemetry batch processor's terms:
/// every `scheduleDelay` or as soon as a batch is full; a full queue drops (and counts) new spans, so a
/// request never waits on the exporter. On shutdown it flushes what is queued, within `exportTimeout`.
public final class BatchSpanProcessor: SpanSink, Service {
    private let configuration: OTLPExporterConfiguration
    private let exporter: OTLPHTTPSpanExporter
    private let queue = Mutex<[SpanRecord]>([])
    private let exported: CounterCell
    private let droppedFull: CounterCell
    private let droppedFailed: CounterCell
    private let droppedRejected: CounterCell
    private let droppedAtShutdown: CounterCell
    private let duration: HistogramCell

    public init(configuration: OTLPExporterConfiguration, exporter: OTLPHTTPSpanExporter, metrics: MetricsRegistry) {
        self.configuration = configuration
        self.exporter = exporter
        exported = metrics.counter(MetricCatalog.exportedItemsTotal).labels("otlp", "spans")
        let dropped = metrics.counter(MetricCatalog.droppedItemsTotal)
        droppedFull = dropped.labels("otlp", "spans", "queue_full")
        droppedFailed = dropped.labels("otlp", "spans", "export_failed")
        droppedRejected = dropped.labels("otlp", "spans", "rejected")
        droppedAtShutdown = dropped.labels("otlp", "spans", "shutdown")
        duration = metrics.histogram(MetricCatalog.exportDuration).labels("otlp")
    }

    public func submit(_ span: SpanRecord) {
        let accepted = queue.withLock { queue -> Bool in
            guard queue.count < configuration.maxQueueSize else { return false }
            queue.append(span)
            return true
        }
        if !accepted { droppedFull.increment() }
    }

    public func run() async throws {
        // A short tick instead of a wake-up channel: a full batch waits at most one tick, and an idle
        // gateway pays ten cheap wake-ups a second.
        let tick = min(configuration.scheduleDelay, .milliseconds(100))
        // On shutdown the loop is cancelled, an in-flight export included, so a hanging collector cannot
        // hold the process; the final flush then gets at most `shutdownBudget`.
        await cancelWhenGracefulShutdown {
            var lastExport = ContinuousClock.now
            // A cancelled sleep ends the loop: exporting in a cancelled task would only fail and drop.
            while (try? await Task.sleep(for: tick)) != nil {
                let queued = self.queue.withLock { $0.count }
                let due = ContinuousClock.now - lastExport >= self.configuration.scheduleDelay
                if queued >= self.configuration.maxExportBatchSize || (queued > 0 && due) {
                    await self.exportQueued(deadline: .now + self.configuration.exportTimeout)
                    lastExport = .now
                }
            }
        }
        await exportQueued(deadline: .now + min(configuration.exportTimeout, Self.shutdownBudget), all: true)
    }

    /// The most the final flush may take; what is left after it is dropped and counted.
    static let shutdownBudget: Duration = .seconds(5)

    /// Exports queued spans batch by batch (one batch, or all when shutting down).
    private func exportQueued(deadline: ContinuousClock.Instant, all: Bool = false) async {
        repeat {
            if all && ContinuousClock.now >= deadline {
                // The shutdown budget is spent: what is left is dropped, and counted.
                let left = queue.withLock { queue in
                    defer { queue.removeAll() }
                    return queue.count
                }
                droppedAtShutdown.increment(by: UInt64(left))
                return
            }
            let batch = queue.withLock { queue -> [SpanRecord] in
                let count = min(queue.count, configuration.maxExportBatchSize)
                defer { queue.removeFirst(count) }
                return Array(queue.prefix(count))
            }
            guard !batch.isEmpty else { return }
            let started = ContinuousClock.now
            let outcome = await exporter.export(batch, deadline: deadline)
            duration.observe(.now - started)
            switch outcome {
            case .delivered(let rejected):
                let refused = min(max(rejected, 0), batch.count)
                exported.increment(by: UInt64(batch.count - refused))
                droppedRejected.increment(by: UInt64(refused))
            case .failed:
                droppedFailed.increment(by: UInt64(batch.count))
            }
        } while all || queue.withLock({ $0.count >= configuration.maxExportBatchSize })
    }
}
