import Logging
import ServiceLifecycle
import Telemetry

/// Queues finished spans and exports them in batches, on the OpenTelemetry batch processor's terms:
/// every `scheduleDelay` or as soon as a batch is full; a full queue drops (and counts) new spans, so a
/// request never waits on the exporter. On shutdown it flushes what is queued within `shutdownBudget`
/// (or `exportTimeout`, if shorter) and counts what is left as dropped.
public final class BatchSpanProcessor: SpanSink, Service {
    private let configuration: OTLPExporterConfiguration
    private let exporter: OTLPHTTPSpanExporter
    private let queue: ExportQueue<SpanRecord>

    public init(configuration: OTLPExporterConfiguration, exporter: OTLPHTTPSpanExporter, metrics: MetricsRegistry) {
        self.configuration = configuration
        self.exporter = exporter
        queue = ExportQueue(
            capacity: configuration.maxQueueSize,
            capacityBytes: configuration.maxQueueBytes,
            size: { $0.estimatedBytes },
            exporter: "otlp",
            signal: "spans",
            metrics: metrics
        )
    }

    public func submit(_ span: consuming SpanRecord) {
        queue.append(span)
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
                let queued = self.queue.count
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
                return queue.dropRemaining()
            }
            let batch = queue.takeBatch(upTo: configuration.maxExportBatchSize)
            let count = batch.count
            guard count > 0 else { return }
            let started = ContinuousClock.now
            switch await exporter.export(batch, deadline: deadline) {
            case .delivered(let rejected):
                queue.record(count: count, elapsed: .now - started, delivered: true, rejected: rejected)
            case .failed:
                queue.record(count: count, elapsed: .now - started, delivered: false)
            }
        } while all || queue.count >= configuration.maxExportBatchSize
    }
}
