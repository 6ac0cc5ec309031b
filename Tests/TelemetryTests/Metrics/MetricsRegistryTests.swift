import Testing

@testable import Telemetry

@Suite("Metrics exposition")
struct MetricsRegistryTests {
    @Test("build info is exposed with HELP and TYPE")
    func buildInfo() {
        let text = String(decoding: MetricsRegistry(version: "1.2.3", revision: "abc").exposition(), as: UTF8.self)
        #expect(text.contains("# HELP llm_gateway_build_info "))
        #expect(text.contains("# TYPE llm_gateway_build_info gauge"))
        #expect(text.contains(#"llm_gateway_build_info{version="1.2.3",revision="abc"} 1"#))
    }
}
