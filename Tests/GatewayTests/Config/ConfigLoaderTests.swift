import Foundation
import Testing

@testable import Gateway

@Suite("Config loading and validation")
struct ConfigLoaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test("the seed's ConfigMap config.yaml loads unchanged")
    func seedConfigLoads() throws {
        let config = try ConfigLoader.load(path: Self.fixtures.appendingPathComponent("seed-config.yaml").path, environment: [:])
        #expect(config.server.port == 8080)
        #expect(config.server.maxConnections == 1000)
        #expect(config.providers["openai"]?.type == .openai)
        #expect(config.providers["openai"]?.rateLimit == RateLimitConfig(requestsPerMinute: 500, tokensPerMinute: 150_000))
        #expect(config.providers["anthropic"]?.type == .anthropic)
        #expect(config.providers["anthropic"]?.apiVersion == "2023-06-01")
        #expect(config.providers["anthropic"]?.timeoutSeconds == 300)
        #expect(config.connectionPool.maxConnectionsPerProvider == 100)
        #expect(config.cache.maxSizeMB == 1024)
        #expect(config.logging.format == .json)
        #expect(config.server.maxBodyBytes == 10 * 1024 * 1024)
    }

    @Test("every problem is reported with its key path")
    func problemsHaveKeyPaths() throws {
        let yaml = """
            server:
              port: 70000
              timeout_second: 5
            providers:
              openai:
                timeout_seconds: 0
                max_retries: many
              my-vllm:
                base_url: http://vllm:8000/v1
            models:
              chat:
                - provider: nowhere
                  model: x
            """
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: yaml, environment: [:]) }
        let lines = error?.problems.map(\.description) ?? []
        #expect(lines.contains { $0.hasPrefix("server.timeout_second: unknown key") })
        #expect(lines.contains("providers.openai.max_retries: expected an integer, got \"many\""))
        #expect(lines.contains { $0.hasPrefix("providers.my-vllm.type: unknown provider type \"my-vllm\"") })
    }

    @Test("semantic checks run after parsing and name the key")
    func semanticProblems() throws {
        let yaml = """
            server:
              port: 70000
            providers:
              openai:
                timeout_seconds: 0
            models:
              chat:
                - provider: nowhere
                  model: x
            """
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: yaml, environment: [:]) }
        let lines = error?.problems.map(\.description) ?? []
        #expect(lines.contains("providers.openai.timeout_seconds: must be > 0"))
        #expect(lines.contains("server.port: must be between 0 and 65535"))
        #expect(lines.contains("models.chat[0].provider: no provider named \"nowhere\""))
    }

    @Test("a provider's type defaults to its key; others name theirs")
    func providerTypes() throws {
        let yaml = """
            providers:
              openai: {}
              my-vllm:
                type: openai
                base_url: http://127.0.0.1:8000/v1
              azure:
                type: azure_openai
                base_url: https://example.openai.azure.com
                api_key: ${AZ_KEY}
            models:
              llama:
                - provider: my-vllm
                  model: meta-llama/Llama-3.1-8B-Instruct
            """
        let config = try ConfigLoader.parse(yaml: yaml, environment: ["AZ_KEY": "secret"])
        #expect(config.providers["openai"]?.type == .openai)
        #expect(config.providers["my-vllm"]?.type == .openai)
        #expect(config.providers["azure"]?.apiKey == "secret")
        #expect(config.models["llama"] == [ModelDeployment(provider: "my-vllm", model: "meta-llama/Llama-3.1-8B-Instruct")])
    }

    @Test("${VAR} interpolation: set, fallback, unset")
    func interpolation() throws {
        let expand = EnvironmentInterpolation(environment: ["A": "1"])
        #expect(try expand.expand("x-${A}-y").get() == "x-1-y")
        #expect(try expand.expand("${B:-fallback}").get() == "fallback")
        #expect(try expand.expand("cost $$5").get() == "cost $5")
        #expect(expand.expand("${B}") == .failure(.unset("B")))
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "auth:\n  api_keys: [\"${CLIENT_KEY}\"]\n", environment: [:])
        }
        #expect(error?.problems.first?.path == "auth.api_keys[0]")
    }

    @Test("environment overrides win over the file")
    func environmentOverrides() throws {
        let config = try ConfigLoader.parse(
            yaml: "server:\n  port: 8080\nlogging:\n  level: info\n",
            environment: [
                "SERVER_PORT": "9999", "SERVER_HOST": "127.0.0.1", "METRICS_PORT": "9191", "LOG_LEVEL": "debug", "REDIS_URL": "redis://r:6379",
            ]
        )
        #expect(config.server.port == 9999)
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.metricsPort == 9191)
        #expect(config.logging.level == "debug")
        #expect(config.redisURL == "redis://r:6379")
        let bad = #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: "{}", environment: ["SERVER_PORT": "http"]) }
        #expect(bad?.problems.first?.path == "env.SERVER_PORT")
    }

    @Test("a provider key in the environment enables that provider with its defaults")
    func keysEnableProviders() throws {
        let config = try ConfigLoader.load(path: nil, environment: ["OPENAI_API_KEY": "sk-test", "ANTHROPIC_API_KEY": "sk-ant"])
        #expect(config.providers["openai"]?.apiKey == "sk-test")
        #expect(config.providers["anthropic"]?.apiKey == "sk-ant")
        #expect(config.providers["mock"]?.models == ["mock-gpt", "mock-claude"])
        let seed = try ConfigLoader.load(path: Self.fixtures.appendingPathComponent("seed-config.yaml").path, environment: ["OPENAI_API_KEY": "sk-x"])
        #expect(seed.providers["openai"]?.apiKey == "sk-x")
    }

    @Test("azure_openai needs a base_url and a key")
    func azureRequirements() throws {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "providers:\n  az:\n    type: azure_openai\n", environment: [:])
        }
        let lines = error?.problems.map(\.description) ?? []
        #expect(lines.contains { $0.hasPrefix("providers.az.base_url: required") })
        #expect(lines.contains { $0.hasPrefix("providers.az.api_key: required") })
    }

    @Test("invalid YAML is one clear problem")
    func invalidYAML() {
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: "server: [unclosed", environment: [:]) }
        #expect(error?.problems.first?.message.hasPrefix("invalid YAML") == true)
    }
}
