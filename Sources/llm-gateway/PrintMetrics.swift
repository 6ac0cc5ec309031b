import ArgumentParser
import Telemetry

/// `llm-gateway metrics`: prints the metric catalog as markdown (docs/metrics.md is this output).
struct PrintMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print every metric the gateway exposes (name, type, unit, labels, help, buckets) as markdown."
    )

    func run() {
        print(MetricCatalog.markdown(), terminator: "")
    }
}
