import Testing

@testable import Gateway

@Suite("Data residency")
struct DataResidencyTests {
    static func config() -> GatewayConfig {
        var config = ConfigLoader.embeddedDefault()
        config.dataResidency.enabled = true
        config.dataResidency.allowedRegions = ["eu-west-1"]
        config.dataResidency.denyRegions = ["us-east-1"]
        config.dataResidency.allowedModels = ["mock-gpt"]
        config.providers["mock"]?.region = "eu-west-1"
        return config
    }

    @Test("a model outside the allow-list is refused with 403, counted, and not listed")
    func refusal() async throws {
        try await GatewayHarness.with(Self.config()) { gateway in
            #expect(try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-gpt")).status == 200)
            let refused = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-claude"))
            #expect(refused.status == 403)
            #expect(refused.error["code"] as? String == "model_not_allowed")
            #expect(refused.error["type"] as? String == "permission_error")
            let direct = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock/mock-claude"))
            #expect(direct.status == 403, "provider/model routing is no way around the list")
            let models = try await gateway.get("/v1/models")
            #expect(models.body.contains("mock-gpt") && !models.body.contains("mock-claude"))
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            #expect(MetricsTests.value(scrape, "llm_data_residency_refusals_total") == 2)
        }
    }

    @Test("enabled providers must declare an allowed region")
    func regions() {
        var config = Self.config()
        config.providers["mock"]?.region = "us-east-1"
        var other = ProviderConfig(type: .mock)
        other.region = "ap-south-1"
        config.providers["other"] = other
        config.providers["unplaced"] = ProviderConfig(type: .mock)
        let problems = ConfigValidator.validate(config).map(\.description)
        #expect(problems.contains { $0.contains("providers.mock.region") && $0.contains("deny_regions") })
        #expect(problems.contains { $0.contains("providers.other.region") && $0.contains("allowed_regions") })
        #expect(problems.contains { $0.contains("providers.unplaced.region") && $0.contains("required") })
    }
}
