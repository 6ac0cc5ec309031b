import Foundation
import HTTPTypes
import Logging
import Testing

@testable import Gateway
@testable import Telemetry

@Suite("Configuration reload")
struct ConfigReloadTests {
    static func shared(_ registry: MetricsRegistry) -> ConfigGeneration.Shared {
        ConfigGeneration.Shared(
            metrics: registry,
            redis: nil,
            rateLimits: MemoryRateLimitStore(),
            budgets: MemoryBudgetStore(),
            transport: nil,
            drain: DrainState(),
            started: .now,
            version: "test",
            logger: Logger(label: "reload-test")
        )
    }

    /// Two OpenAI-type providers (nothing listens on their port; no test sends to them) serving `chat`.
    static func twoProviders() -> GatewayConfig {
        var config = GatewayConfig()
        for name in ["kept", "changed"] {
            var provider = ProviderConfig(type: .openai)
            provider.baseURL = "http://127.0.0.1:9/v1"
            provider.apiKey = "sk-test"
            provider.models = ["gpt-test"]
            config.providers[name] = provider
        }
        config.models["chat"] = [ModelDeployment(provider: "kept", model: "gpt-test"), ModelDeployment(provider: "changed", model: "gpt-test")]
        return config
    }

    static func route(_ generation: ConfigGeneration, _ provider: String) throws -> Route {
        try #require(try generation.router.resolve("\(provider)/gpt-test").first)
    }

    @Test("a provider that outlives a reload keeps its upstream client, health, breakers and latency; a changed one gets new ones")
    func carryOver() async throws {
        let shared = Self.shared(MetricsRegistry(version: "v", revision: "r"))
        let first = ConfigGeneration(config: Self.twoProviders(), shared: shared)
        var next = Self.twoProviders()
        next.providers["changed"]!.timeoutSeconds = 5
        next.providers["changed"]!.circuitBreaker.failureThreshold = 9
        let second = ConfigGeneration(config: next, shared: shared, previous: first)

        #expect(second.transports["kept"]!.isSame(as: first.transports["kept"]!))
        #expect(!second.transports["changed"]!.isSame(as: first.transports["changed"]!))
        let (kept, keptAgain) = (try Self.route(first, "kept"), try Self.route(second, "kept"))
        #expect(kept.breaker === keptAgain.breaker && kept.latency === keptAgain.latency && kept.health === keptAgain.health)
        let (changed, changedAgain) = (try Self.route(first, "changed"), try Self.route(second, "changed"))
        #expect(changed.breaker !== changedAgain.breaker, "new breaker settings start a new breaker")
        #expect(changed.health === changedAgain.health, "health is the provider's, probed by unchanged rules")

        // A request that entered the first generation keeps its client open past the swap.
        let active = ActiveConfig(first)
        let request = active.enter()
        active.replace(with: second)
        #expect(active.takeDrained().isEmpty)
        #expect(active.retiringInFlight == 1)
        let later = active.enter()
        #expect(later === second)
        later.leave()
        request.leave()
        let closed = active.takeDrained()
        #expect(closed.count == 1 && closed[0].isSame(as: first.transports["changed"]!), "only the client nothing uses any more")
        let rest = active.takeAll()
        #expect(rest.count == 2)
        for transport in closed + rest { try await transport.transport.shutdown() }
    }

    static let before = """
        server:
          port: 8080
        auth:
          api_keys:
            - {name: one, key: sk-one}
        providers:
          mock:
            models: [mock-a]
        """

    static func headers(key: String) -> HTTPFields {
        [.authorization: "Bearer \(key)"]
    }

    @Test("a valid file swaps in (restart-only keys pinned), a broken one is refused and counted, the watch retries only new bytes")
    func reloader() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config.yaml").path
        try Self.before.write(toFile: path, atomically: true, encoding: .utf8)
        let source = ConfigSource(path: path, environment: [:])
        let (config, hash) = try source.load()
        let registry = MetricsRegistry(version: "v", revision: "r")
        let shared = Self.shared(registry)
        let active = ActiveConfig(ConfigGeneration(config: config, shared: shared))
        let reloader = ConfigReloader(source: source, hash: hash, active: active, shared: shared)
        func metric(_ series: String) -> Double? {
            MetricsTests.value(String(decoding: registry.exposition(format: .prometheusText), as: UTF8.self), series)
        }
        #expect(metric(#"llm_config_info{hash="\#(hash)"}"#) == 1)
        #expect(metric(#"llm_config_reloads_total{result="failure"}"#) == 0)

        // A new model and a new key, and a port change a reload cannot make.
        let after = Self.before.replacingOccurrences(of: "8080", with: "9999")
            .replacingOccurrences(of: "[mock-a]", with: "[mock-a, mock-b]")
            .replacingOccurrences(of: "    - {name: one, key: sk-one}", with: "    - {name: one, key: sk-one}\n    - {name: two, key: sk-two}")
        try after.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(reloader.reload(trigger: "test"))
        let current = active.current
        #expect(current.router.publicModels == ["mock-a", "mock-b"])
        #expect(try current.authenticator.authenticate(Self.headers(key: "sk-two"))?.name == "two")
        #expect(current.config.server.port == 8080, "a listener's port needs a restart; the running one is kept")
        let newHash = reloader.runningHash
        #expect(newHash != hash)
        #expect(metric(#"llm_config_info{hash="\#(newHash)"}"#) == 1)
        #expect(metric(#"llm_config_info{hash="\#(hash)"}"#) == nil, "only the running configuration's hash is exposed")
        #expect(metric(#"llm_config_reloads_total{result="success"}"#) == 1)

        try "providers:\n  mock:\n    models: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(!reloader.reload(trigger: "test"))
        #expect(active.current === current, "a refused file changes nothing")
        #expect(metric(#"llm_config_reloads_total{result="failure"}"#) == 1)
        #expect(metric("llm_config_last_reload_successful") == 0)
        reloader.reloadIfChanged()
        #expect(metric(#"llm_config_reloads_total{result="failure"}"#) == 1, "the watch does not retry the same broken bytes")

        try Self.before.write(toFile: path, atomically: true, encoding: .utf8)
        reloader.reloadIfChanged()
        #expect(metric(#"llm_config_reloads_total{result="success"}"#) == 2)
        #expect(metric("llm_config_last_reload_successful") == 1)
        #expect(active.current.router.publicModels == ["mock-a"])
        #expect(throws: GatewayError.self) { try active.current.authenticator.authenticate(Self.headers(key: "sk-two")) }
    }
}
