import Synchronization

/// All series of one catalog metric, keyed by label values.
///
/// Resolving a series takes a lock; callers resolve once (at start-up, or once per label combination)
/// and keep the returned cell, so recording on the hot path is a lock-free atomic update.
public final class MetricFamily<Cell: AnyObject & Sendable>: Sendable {
    public let definition: MetricDefinition
    private let makeCell: @Sendable () -> Cell
    private struct Series {
        var ordered: [(labels: [String], cell: Cell)] = []
        var byLabels: [[String]: Cell] = [:]
    }
    private let series = Mutex(Series())

    init(definition: MetricDefinition, makeCell: @escaping @Sendable () -> Cell) {
        self.definition = definition
        self.makeCell = makeCell
    }

    /// The series for `values` (one per label name, in catalog order), created on first use.
    public func labels(_ values: String...) -> Cell {
        labels(values)
    }

    public func labels(_ values: [String]) -> Cell {
        precondition(values.count == definition.labelNames.count, "\(definition.name) takes labels \(definition.labelNames)")
        return series.withLock { series in
            if let cell = series.byLabels[values] { return cell }
            let cell = makeCell()
            series.ordered.append((values, cell))
            series.byLabels[values] = cell
            return cell
        }
    }

    /// Stops exposing the series for `values` (an info metric whose value moved on); a cell still held keeps
    /// working, unseen, and `labels` makes a fresh one.
    public func remove(_ values: [String]) {
        series.withLock { series in
            guard series.byLabels.removeValue(forKey: values) != nil else { return }
            series.ordered.removeAll { $0.labels == values }
        }
    }

    /// Every series, in creation order.
    func allSeries() -> [(labels: [String], cell: Cell)] {
        series.withLock { $0.ordered }
    }
}
