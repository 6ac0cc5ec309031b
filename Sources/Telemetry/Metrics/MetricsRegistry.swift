/// The process's metrics: one family per catalog entry, created up front, plus their exposition.
///
/// Owned by the runtime and handed to whoever records. Why our own registry rather than
/// swift-prometheus: exemplars and OpenMetrics exposition, which it lacks, and lock-free recording
/// through handles resolved before the hot path.
public final class MetricsRegistry: Sendable {
    private let counters: [String: MetricFamily<CounterCell>]
    private let gauges: [String: MetricFamily<GaugeCell>]
    private let histograms: [String: MetricFamily<HistogramCell>]
    private let process = ProcessMetrics()

    public init(version: String, revision: String) {
        var counters: [String: MetricFamily<CounterCell>] = [:]
        var gauges: [String: MetricFamily<GaugeCell>] = [:]
        var histograms: [String: MetricFamily<HistogramCell>] = [:]
        for definition in MetricCatalog.all {
            switch definition.kind {
            case .counter where definition == MetricCatalog.processCPUSeconds:
                // A sampled float counter; kept as a gauge cell, exposed as a counter.
                gauges[definition.name] = MetricFamily(definition: definition) { GaugeCell() }
            case .counter: counters[definition.name] = MetricFamily(definition: definition) { CounterCell() }
            case .gauge: gauges[definition.name] = MetricFamily(definition: definition) { GaugeCell() }
            case .histogram:
                histograms[definition.name] = MetricFamily(definition: definition) { HistogramCell(upperBounds: definition.buckets) }
            }
        }
        self.counters = counters
        self.gauges = gauges
        self.histograms = histograms
        gauges[MetricCatalog.buildInfo.name]?.labels(version, revision).set(1)
    }

    /// The counter family of a catalog entry. Resolve series once and keep them.
    public func counter(_ definition: MetricDefinition) -> MetricFamily<CounterCell> {
        guard let family = counters[definition.name] else { preconditionFailure("\(definition.name) is not a catalog counter") }
        return family
    }

    public func gauge(_ definition: MetricDefinition) -> MetricFamily<GaugeCell> {
        guard let family = gauges[definition.name] else { preconditionFailure("\(definition.name) is not a catalog gauge") }
        return family
    }

    public func histogram(_ definition: MetricDefinition) -> MetricFamily<HistogramCell> {
        guard let family = histograms[definition.name] else { preconditionFailure("\(definition.name) is not a catalog histogram") }
        return family
    }

    /// Every family in catalog order, with process metrics sampled now.
    public func exposition(format: ExpositionFormat) -> [UInt8] {
        process.sample(into: self)
        var writer = ExpositionWriter(format: format)
        for definition in MetricCatalog.all {
            if let family = histograms[definition.name] {
                writer.write(family)
            } else if let family = counters[definition.name] {
                writer.write(family)
            } else if let family = gauges[definition.name] {
                writer.write(family)
            }
        }
        writer.finish()
        return writer.bytes
    }
}
