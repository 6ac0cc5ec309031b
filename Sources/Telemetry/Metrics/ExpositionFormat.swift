/// The two text formats `/metrics` speaks.
public enum ExpositionFormat: Sendable {
    /// Prometheus text format 0.0.4 (the default).
    case prometheusText
    /// OpenMetrics 1.0, with exemplars on histogram buckets.
    case openMetrics

    public var contentType: String {
        switch self {
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// OpenMetrics when the scraper's `Accept` header asks for it (Prometheus does when exemplar storage is on).
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept, accept.contains("application/openmetrics-text") else { return .prometheusText }
        return .openMetrics
    }

    /// A number as both formats write it: integers without a fraction, `+Inf`, `NaN`.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `value` counted in `10^-decimals` of a unit, as the exact decimal amount of the unit without trailing
    /// zeros (`1234` with 6 decimals is `0.001234`; a whole amount has no point).
    public static func fixedPoint(_ value: UInt64, decimals: Int) -> String {
        guard decimals > 0 else { return String(value) }
        var scale: UInt64 = 1
        for _ in 0..<decimals { scale *= 10 }
        var fraction = String(value % scale)
        guard fraction != "0" else { return String(value / scale) }
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return "\(value / scale).\(fraction)"
    }
}

/// Writes metric families into exposition text.
struct ExpositionWriter {
    let format: ExpositionFormat
    private(set) var bytes: [UInt8] = []

    init(format: ExpositionFormat) {
        self.format = format
        bytes.reserveCapacity(32 * 1024)
    }

    mutating func write(_ family: MetricFamily<CounterCell>) {
        header(family.definition)
        for (labels, cell) in family.allSeries() {
            sample(
                family.definition.name,
                family.definition.labelNames,
                labels,
                ExpositionFormat.fixedPoint(cell.value, decimals: family.definition.decimals)
            )
        }
    }

    mutating func write(_ family: MetricFamily<GaugeCell>) {
        header(family.definition)
        for (labels, cell) in family.allSeries() {
            sample(family.definition.name, family.definition.labelNames, labels, ExpositionFormat.number(cell.value))
        }
    }

    mutating func write(_ family: MetricFamily<HistogramCell>) {
        let definition = family.definition
        header(definition)
        for (labels, cell) in family.allSeries() {
            let (cumulative, sum, exemplars) = cell.snapshot()
            let names = definition.labelNames + ["le"]
            for (index, count) in cumulative.enumerated() {
                let bound = index < cell.upperBounds.count ? bucketBound(cell.upperBounds[index]) : "+Inf"
                var value = String(count)
                if format == .openMetrics, let exemplar = exemplars[index] {
                    value += " # {trace_id=\"\(exemplar.traceID)\",span_id=\"\(exemplar.spanID)\"} "
                    value += ExpositionFormat.number(exemplar.value) + " " + String(format3: exemplar.timestamp)
                }
                sample(definition.name + "_bucket", names, labels + [bound], value)
            }
            sample(definition.name + "_sum", definition.labelNames, labels, ExpositionFormat.number(sum))
            sample(definition.name + "_count", definition.labelNames, labels, String(cumulative.last ?? 0))
        }
    }

    /// `le` values: OpenMetrics wants canonical floats (`1.0`), the 0.0.4 text format conventionally `1`.
    private func bucketBound(_ bound: Double) -> String {
        let text = ExpositionFormat.number(bound)
        return format == .openMetrics && !text.contains(".") && !text.contains("e") ? text + ".0" : text
    }

    mutating func finish() {
        if format == .openMetrics { append("# EOF\n") }
    }

    private mutating func header(_ definition: MetricDefinition) {
        let name = format == .openMetrics ? definition.openMetricsName : definition.name
        append("# HELP \(name) \(escapeHelp(definition.help))\n# TYPE \(name) \(definition.kind.rawValue)\n")
        if format == .openMetrics, !definition.unit.isEmpty, name.hasSuffix("_" + definition.unit) {
            append("# UNIT \(name) \(definition.unit)\n")
        }
    }

    private mutating func sample(_ name: String, _ labelNames: [String], _ labelValues: [String], _ value: String) {
        append(name)
        if !labelNames.isEmpty {
            append("{")
            for (index, labelName) in labelNames.enumerated() {
                if index > 0 { append(",") }
                append(labelName)
                append("=\"")
                append(escapeLabel(labelValues[index]))
                append("\"")
            }
            append("}")
        }
        append(" ")
        append(value)
        append("\n")
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private func escapeLabel(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private func escapeHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension String {
    /// A timestamp with millisecond precision, as OpenMetrics exemplars carry it.
    fileprivate init(format3 value: Double) {
        let milliseconds = Int64((value * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        self = "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
