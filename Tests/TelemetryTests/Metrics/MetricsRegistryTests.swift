import Testing

@testable import Telemetry

@Suite("Metrics registry and exposition")
struct MetricsRegistryTests {
    func text(_ registry: MetricsRegistry, _ format: ExpositionFormat = .prometheusText) -> String {
        String(decoding: registry.exposition(format: format), as: UTF8.self)
    }

    @Test("every catalog family has HELP and TYPE; build info and process metrics have values")
    func catalogFamilies() {
        let exposition = text(MetricsRegistry(version: "1.2.3", revision: "abc"))
        for metric in MetricCatalog.all {
            #expect(exposition.contains("# HELP \(metric.name) "), "\(metric.name)")
            #expect(exposition.contains("# TYPE \(metric.name) \(metric.kind.rawValue)\n"), "\(metric.name)")
        }
        #expect(exposition.contains(#"llm_gateway_build_info{version="1.2.3",revision="abc"} 1"#))
        #expect(exposition.contains("process_resident_memory_bytes "))
        #expect(exposition.contains("process_open_fds "))
        #expect(!exposition.contains("# EOF"))
    }

    @Test("histograms are cumulative with +Inf, sum and count")
    func histogram() {
        let registry = MetricsRegistry(version: "v", revision: "r")
        let cell = registry.histogram(MetricCatalog.httpRequestDuration).labels("POST", "/v1/chat/completions")
        for value in [0.003, 0.2, 0.2, 400] { cell.observe(value) }
        let exposition = text(registry)
        let prefix = #"http_request_duration_seconds_bucket{method="POST",route="/v1/chat/completions",le="#
        #expect(exposition.contains(prefix + #""0.005"} 1"#))
        #expect(exposition.contains(prefix + #""0.1"} 1"#))
        #expect(exposition.contains(prefix + #""0.25"} 3"#))
        #expect(exposition.contains(prefix + #""300"} 3"#))
        #expect(exposition.contains(prefix + #""+Inf"} 4"#))
        #expect(exposition.contains(#"http_request_duration_seconds_count{method="POST",route="/v1/chat/completions"} 4"#))
        #expect(exposition.contains(#"http_request_duration_seconds_sum{method="POST",route="/v1/chat/completions"} 400.403"#))
    }

    @Test("OpenMetrics: counters without _total in TYPE, exemplars on buckets, # EOF")
    func openMetrics() {
        let registry = MetricsRegistry(version: "v", revision: "r")
        registry.counter(MetricCatalog.httpRequestsTotal).labels("GET", "/health", "200").increment(by: 3)
        let trace = (traceID: TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!, spanID: SpanID(hex: "00f067aa0ba902b7")!)
        registry.histogram(MetricCatalog.httpRequestDuration).labels("GET", "/health").observe(0.02, exemplar: trace)
        let exposition = text(registry, .openMetrics)
        #expect(exposition.contains("# TYPE http_requests counter\n"))
        #expect(exposition.contains(#"http_requests_total{method="GET",route="/health",status="200"} 3"#))
        #expect(exposition.contains("# UNIT http_request_duration_seconds seconds\n"))
        let bucket =
            #"http_request_duration_seconds_bucket{method="GET",route="/health",le="0.025"} 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736",span_id="00f067aa0ba902b7"} 0.02 "#
        #expect(exposition.contains(bucket))
        #expect(exposition.hasSuffix("# EOF\n"))
        #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text;version=1.0.0,text/plain;q=0.5") == .openMetrics)
        #expect(ExpositionFormat.negotiate(accept: "text/plain") == .prometheusText)
        #expect(ExpositionFormat.negotiate(accept: nil) == .prometheusText)
    }

    @Test("label values are escaped")
    func escaping() {
        let registry = MetricsRegistry(version: "a\"b\\c\nd", revision: "r")
        #expect(text(registry).contains(#"llm_gateway_build_info{version="a\"b\\c\nd",revision="r"} 1"#))
    }

    @Test("a lazy series appears at its first use, once")
    func lazySeries() {
        let registry = MetricsRegistry(version: "v", revision: "r")
        let series = LazySeries(registry.counter(MetricCatalog.upstreamRetriesTotal), "openai")
        #expect(!text(registry).contains("llm_upstream_retries_total{"))
        series.cell.increment()
        series.cell.increment()
        #expect(text(registry).contains(#"llm_upstream_retries_total{provider="openai"} 2"#))
    }

    @Test("the catalog's markdown lists every metric")
    func markdown() {
        let markdown = MetricCatalog.markdown()
        for metric in MetricCatalog.all { #expect(markdown.contains("| `\(metric.name)` |")) }
    }
}
