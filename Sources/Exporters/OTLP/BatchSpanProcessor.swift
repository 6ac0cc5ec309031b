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
    private let duration: HistogramCell

    public init(configuration: OTLPExporterConfiguration, exporter: OTLPHTTPSpanExporter, metrics: MetricsRegistry) {
        self.configuration = configuration
        self.exporter = exporter
        exported = metrics.counter(MetricCatalog.exportedItemsTotal).labels("otlp", "spans")
        let dropped = metrics.counter(MetricCatalog.droppedItemsTotal)
        droppedFull = dropped.labels("otlp", "spans", "queue_full")
        droppedFailed = dropped.labels("otlp", "spans", "export_failed")
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
        var lastExport = ContinuousClock.now
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !isShuttingDown.load(ordering: .relaxed) {
                try? await Task.sleep(for: tick)
                let queued = queue.withLock { $0.count }
                if queued >= configuration.maxExportBatchSize || (queued > 0 && ContinuousClock.now - lastExport >= configuration.scheduleDelay) {
                    await exportQueued(deadline: .now + configuration.exportTimeout)
                    lastExport = .now
                }
            }
        } onGracefulShutdown: {
            self.isShuttingDown.store(true, ordering: .relaxed)
        }
        await exportQueued(deadline: .now + configuration.exportTimeout, all: true)
    }

    private let isShuttingDown = Atomic<Bool>(false)

    /// Exports queued spans batch by batch (one batch, or all when shutting down).
    private func exportQueued(deadline: ContinuousClock.Instant, all: Bool = false) async {
        repeat {
            let batch = queue.withLock { queue -> [SpanRecord] in
                let count = min(queue.count, configuration.maxExportBatchSize)
                defer { queue.removeFirst(count) }
                return Array(queue.prefix(count))
            }
            guard !batch.isEmpty else { return }
            let started = ContinuousClock.now
            let delivered = await exporter.export(batch, deadline: deadline)
            duration.observe(.now - started)
            if delivered {
                exported.increment(by: UInt64(batch.count))
            } else {
                droppedFailed.increment(by: UInt64(batch.count))
            }
        } while all || queue.withLock({ $0.count >= configuration.maxExportBatchSize })
    }
}
