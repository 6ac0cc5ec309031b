import Synchronization
import Telemetry

/// Keeps every span the gateway finishes, for tests that look at traces.
final class SpanCollector: SpanSink {
    private let spans = Mutex<[SpanRecord]>([])

    func submit(_ span: any FinishedSpan) {
        let records = SpanRecord.records(of: span)
        spans.withLock { $0.append(contentsOf: records) }
    }

    var all: [SpanRecord] { spans.withLock { $0 } }

    /// CLIENT spans (one per upstream attempt) by trace id.
    func clientSpansByTrace() -> [String: Int] {
        all.filter { $0.kind == .client }.reduce(into: [:]) { $0[$1.traceID.description, default: 0] += 1 }
    }
}
