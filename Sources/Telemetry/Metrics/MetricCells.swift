import Synchronization

/// A monotonically increasing count, updated lock-free.
public final class CounterCell: Sendable {
    private let count = Atomic<UInt64>(0)

    public init() {}

    public func increment(by amount: UInt64 = 1) {
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    public var value: UInt64 { count.load(ordering: .relaxed) }
}

/// A value that goes up and down, stored as the bits of a Double.
public final class GaugeCell: Sendable {
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    public init() {}

    public func set(_ value: Double) {
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    public func add(_ delta: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = bits.weakCompareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    public var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}

/// A trace a sample came from, attached to histogram buckets in OpenMetrics exposition.
public struct Exemplar: Sendable, Equatable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var value: Double
    /// Seconds since 1970.
    public var timestamp: Double

    public init(traceID: TraceID, spanID: SpanID, value: Double, timestamp: Double) {
        self.traceID = traceID
        self.spanID = spanID
        self.value = value
        self.timestamp = timestamp
    }
}

/// Observations in fixed buckets: per-bucket counts (cumulated at exposition), sum, and the latest
/// exemplar of each bucket.
public final class HistogramCell: Sendable {
    let upperBounds: [Double]
    private let bucketCounts: [CounterCell]
    private let sumBits = GaugeCell()
    private let exemplars: Mutex<[Exemplar?]>

    init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        self.bucketCounts = (0...upperBounds.count).map { _ in CounterCell() }
        self.exemplars = Mutex(Array(repeating: nil, count: upperBounds.count + 1))
    }

    /// Records `value`; with a trace, it becomes the bucket's exemplar.
    public func observe(_ value: Double, exemplar trace: (traceID: TraceID, spanID: SpanID)? = nil) {
        let index = bucketIndex(for: value)
        bucketCounts[index].increment()
        sumBits.add(value)
        if let trace {
            let exemplar = Exemplar(traceID: trace.traceID, spanID: trace.spanID, value: value, timestamp: WallClock.secondsSince1970())
            exemplars.withLock { $0[index] = exemplar }
        }
    }

    public func observe(_ duration: Duration, exemplar trace: (traceID: TraceID, spanID: SpanID)? = nil) {
        observe(duration.seconds, exemplar: trace)
    }

    private func bucketIndex(for value: Double) -> Int {
        var low = 0
        var high = upperBounds.count
        while low < high {
            let middle = (low + high) / 2
            if value <= upperBounds[middle] { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Cumulative bucket counts (the last is `+Inf`, the total count), sum and exemplars, read for exposition.
    func snapshot() -> (cumulative: [UInt64], sum: Double, exemplars: [Exemplar?]) {
        var running: UInt64 = 0
        let cumulative = bucketCounts.map { cell -> UInt64 in
            running += cell.value
            return running
        }
        return (cumulative, sumBits.value, exemplars.withLock { $0 })
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole nanoseconds, saturating instead of overflowing for very long durations (NIO's `TimeAmount`).
    public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : scaled + attoseconds / 1_000_000_000
    }
}
