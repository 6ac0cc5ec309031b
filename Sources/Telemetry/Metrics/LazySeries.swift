import Atomics

/// A handle to one series that is created (and so exposed) at its first use.
///
/// Resolved up front like any handle; the first `cell` read registers the series with its family
/// (a lock, once), every later read is one atomic load.
public final class LazySeries<Cell: AnyObject & Sendable>: Sendable {
    private let family: MetricFamily<Cell>
    private let labelValues: [String]
    private let reference = ManagedAtomicLazyReference<Cell>()

    public init(_ family: MetricFamily<Cell>, _ labelValues: String...) {
        self.family = family
        self.labelValues = labelValues
    }

    public var cell: Cell {
        if let cell = reference.load() { return cell }
        return reference.storeIfNilThenLoad(family.labels(labelValues))
    }

    /// Creates the series now, at its zero value: for label values known from the configuration, so that
    /// `rate()` and `increase()` see the first event and panels show 0 instead of no data.
    public func materialize() {
        _ = cell
    }
}
