import Telemetry

/// Handles for the HTTP metrics of every route and method, resolved at start-up.
final class HTTPMetrics: Sendable {
    /// The handles of one route and method.
    struct Handles: Sendable {
        let duration: LazySeries<HistogramCell>
        let statuses: StatusCounters
    }

    let inFlight: GaugeCell
    private let handles: [[Handles]]
    /// `llm_gateway_overhead_seconds` of the routes that call upstreams (nil for the others), by route index.
    private let overheads: [HistogramCell?]

    init(registry: MetricsRegistry) {
        inFlight = registry.gauge(MetricCatalog.httpRequestsInFlight).labels()
        let requests = registry.counter(MetricCatalog.httpRequestsTotal)
        let durations = registry.histogram(MetricCatalog.httpRequestDuration)
        let overhead = registry.histogram(MetricCatalog.gatewayOverhead)
        overheads = APIRoute.allCases.map { $0.callsUpstream ? overhead.labels($0.rawValue) : nil }
        handles = APIRoute.allCases.map { route in
            APIRoute.methods.map { method in
                Handles(
                    duration: LazySeries(durations, method, route.rawValue),
                    statuses: StatusCounters(family: requests, method: method, route: route.rawValue)
                )
            }
        }
    }

    func handles(route: APIRoute, method: String) -> Handles {
        handles[route.index][APIRoute.methodIndex(method)]
    }

    /// The overhead histogram of `route`; nil for routes the gateway answers itself.
    func overhead(route: APIRoute) -> HistogramCell? {
        overheads[route.index]
    }
}
