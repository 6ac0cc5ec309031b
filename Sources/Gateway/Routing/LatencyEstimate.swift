import Synchronization
import Telemetry

/// A deployment's recent latency as an exponentially weighted moving average (`least_latency` routing).
///
/// Lock-free: one atomic holding nanoseconds, updated by compare-and-swap.
final class LatencyEstimate: Sendable {
    /// Weight of the newest sample: high enough that a deployment turning slow loses traffic within a few requests.
    static let smoothing = 0.3
    /// No sample yet.
    private static let unknown: Int64 = -1
    private let nanoseconds = Atomic<Int64>(LatencyEstimate.unknown)

    init() {}

    func observe(_ latency: Duration) {
        let sample = Double(latency.nanosecondsClamped)
        var current = nanoseconds.load(ordering: .relaxed)
        while true {
            let next = current == Self.unknown ? Int64(sample) : Int64(Self.smoothing * sample + (1 - Self.smoothing) * Double(current))
            let (exchanged, original) = nanoseconds.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The estimate; nil before the first sample.
    var value: Duration? {
        let value = nanoseconds.load(ordering: .relaxed)
        return value == Self.unknown ? nil : .nanoseconds(value)
    }
}
