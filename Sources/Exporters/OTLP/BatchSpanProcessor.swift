import Logging
import ServiceLifecycle
import Telemetry

/// Queues finished spans and exports them in batches, on the OpenTelemetry batch processor's terms:
/// every `scheduleDelay` or as soon as a batch is full (the span that fills it wakes the exporter); a full
/// queue drops (and counts) new spans, so a request never waits on the exporter. On shutdown it flushes
/// what is queued within `shutdownBudget` (or `exportTimeout`, if shorter) and counts what is left as dropped.
public final class BatchSpanProcessor: SpanSink, Service {
    private let configuration: OTLPExporterConfiguration
    private let exporter: OTLPHTTPSpanExporter
    private let queue: ExportQueue<any FinishedSpan>
    /// Wakes the export loop: every tick, and when a submitted span fills a batch. One wake-up is kept while
    /// the loop is busy, so a batch filled during an export is not left for the next tick.
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// How often the loop checks the schedule delay (at most 100 ms; a test may stretch it to see wake-ups alone).
    private let tick: Duration

    public convenience init(configuration: OTLPExporterConfiguration, exporter: OTLPHTTPSpanExporter, metrics: MetricsRegistry) {
        self.init(configuration: configuration, exporter: exporter, metrics: metrics, tick: min(configuration.scheduleDelay, .milliseconds(100)))
    }

    init(configuration: OTLPExporterConfiguration, exporter: OTLPHTTPSpanExporter, metrics: MetricsRegistry, tick: Duration) {
        self.tick = tick
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
        (wakes, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public func submit(_ span: any FinishedSpan) {
        // Counts rise one at a time under the queue's lock: exactly one span sees the batch fill.
        if queue.append(span) == configuration.maxExportBatchSize { wake.yield() }
    }

    public func run() async throws {
        // The tick checks the schedule delay; a filled batch wakes the loop at once. Waiting a tick for a
        // full batch lost spans: at 30 k spans a second a 100 ms tick is more than the default queue holds.
        let tick = self.tick
        // On shutdown the loop is cancelled, an in-flight export included, so a hanging collector cannot
        // hold the process; the final flush then gets at most `shutdownBudget`.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    // A cancelled sleep ends the ticks, and the wake-ups with them.
                    while (try? await Task.sleep(for: tick)) != nil { self.wake.yield() }
                    self.wake.finish()
                }
                var lastExport = ContinuousClock.now
                // Cancellation ends the loop too: exporting in a cancelled task would only fail and drop.
                for await _ in self.wakes {
                    let queued = self.queue.count
                    let due = ContinuousClock.now - lastExport >= self.configuration.scheduleDelay
                    if queued >= self.configuration.maxExportBatchSize || (queued > 0 && due) {
                        await self.exportQueued(deadline: .now + self.configuration.exportTimeout)
                        lastExport = .now
                    }
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
            let queue = self.queue
            switch await exporter.export(batch, deadline: deadline, mayYield: { !all && !queue.isFillingUp }) {
            case .delivered(let rejected):
                queue.record(count: count, elapsed: .now - started, delivered: true, rejected: rejected)
            case .failed:
                queue.record(count: count, elapsed: .now - started, delivered: false)
            }
        } while all || queue.count >= configuration.maxExportBatchSize
    }
}
