/// What kind of Prometheus metric a family is.
public enum MetricKind: String, Sendable {
    case counter
    case gauge
    case histogram
}

/// One metric family as the catalog declares it: everything exposition, docs and dashboards need.
public struct MetricDefinition: Sendable, Hashable {
    public let name: String
    public let kind: MetricKind
    public let help: String
    /// Base unit (`seconds`, `bytes`, `tokens`), or empty for plain counts.
    public let unit: String
    public let labelNames: [String]
    /// Upper bounds of histogram buckets (`+Inf` is implied); empty for counters and gauges.
    public let buckets: [Double]
    /// A counter that adds up exact fractions of its unit: it counts `10^-decimals` of it (9 for a counter of
    /// dollars kept in nanodollars) and is exposed as the decimal amount of the unit. 0 for whole counts.
    public let decimals: Int

    public init(
        name: String,
        kind: MetricKind,
        help: String,
        unit: String = "",
        labels: [String] = [],
        buckets: [Double] = [],
        decimals: Int = 0
    ) {
        precondition(kind != .counter || name.hasSuffix("_total"), "counter \(name) must end in _total")
        precondition(kind == .histogram || buckets.isEmpty, "only histograms have buckets")
        precondition(decimals == 0 || (kind == .counter && decimals <= 18), "only counters count fractions of their unit")
        self.decimals = decimals
        self.name = name
        self.kind = kind
        self.help = help
        self.unit = unit
        self.labelNames = labels
        self.buckets = buckets
    }

    /// The OpenMetrics family name: counters drop their `_total` suffix there.
    var openMetricsName: String {
        kind == .counter ? String(name.dropLast("_total".count)) : name
    }
}
