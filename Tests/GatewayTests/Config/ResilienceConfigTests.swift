import Testing

@testable import Gateway

@Suite("Routing and resilience configuration")
struct ResilienceConfigTests {
    @Test("strategies, priorities, weights, timeouts, breaker triggers and health checks are read")
    func readsEverything() throws {
        let yaml = """
            providers:
              a:
                type: mock
                timeout_seconds: 120
                connect_timeout_seconds: 2
                first_byte_timeout_seconds: 15
                idle_timeout_seconds: 20
                circuit_breaker:
                  failure_threshold: 5
                  cooldown_seconds: 10
                  success_threshold: 1
                  error_rate_threshold: 0.25
                  error_rate_window_seconds: 60
                  latency_threshold_ms: 1500
                  latency_window_seconds: 120
                  minimum_requests: 50
              b:
                type: mock
            models:
              chat:
                strategy: weighted
                deployments:
                  - {provider: a, model: x, weight: 3}
                  - {provider: b, model: y}
                  - {provider: b, model: z, priority: 1}
              plain:
                - provider: a
            health_checks:
              interval_seconds: 5
              timeout_seconds: 2
              unhealthy_threshold: 4
              healthy_threshold: 3
            """
        let config = try ConfigLoader.parse(yaml: yaml, environment: [:])
        #expect(
            config.models["chat"]
                == ModelRoute(
                    strategy: .weighted,
                    deployments: [
                        ModelDeployment(provider: "a", model: "x", weight: 3),
                        ModelDeployment(provider: "b", model: "y"),
                        ModelDeployment(provider: "b", model: "z", priority: 1),
                    ]
                )
        )
        #expect(config.models["plain"] == [ModelDeployment(provider: "a", model: "plain")])
        let a = try #require(config.providers["a"])
        #expect(
            a.timeouts(pool: config.connectionPool)
                == UpstreamTimeouts(connect: .seconds(2), firstByte: .seconds(15), idle: .seconds(20), total: .seconds(120))
        )
        #expect(
            config.providers["b"]?.timeouts(pool: config.connectionPool)
                == UpstreamTimeouts(connect: .seconds(10), firstByte: .seconds(60), idle: .seconds(60), total: .seconds(60))
        )
        var breaker = CircuitBreakerConfig()
        breaker.failureThreshold = 5
        breaker.cooldown = .seconds(10)
        breaker.successThreshold = 1
        breaker.errorRateThreshold = 0.25
        breaker.errorRateWindow = .seconds(60)
        breaker.latencyThreshold = .milliseconds(1500)
        breaker.latencyWindow = .seconds(120)
        breaker.minimumRequests = 50
        #expect(a.circuitBreaker == breaker)
        var checks = HealthCheckConfig()
        checks.interval = .seconds(5)
        checks.timeout = .seconds(2)
        checks.unhealthyThreshold = 4
        checks.healthyThreshold = 3
        #expect(config.healthChecks == checks)
    }

    @Test("bad values are reported with their key paths")
    func problems() {
        let yaml = """
            providers:
              a:
                type: mock
                first_byte_timeout_seconds: 0
                circuit_breaker: {error_rate_threshold: 2}
            models:
              chat:
                strategy: fastest
                deployments:
                  - {provider: a, weight: -1}
            health_checks:
              interval_seconds: 0
            """
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: yaml, environment: [:]) }
        let paths = Set(error?.problems.map(\.path) ?? [])
        #expect(paths.contains("models.chat.strategy"))
        let semantic = ConfigValidator.validate(
            {
                var config = GatewayConfig()
                var provider = ProviderConfig(type: .mock)
                provider.firstByteTimeoutSeconds = 0
                provider.circuitBreaker.errorRateThreshold = 2
                config.providers["a"] = provider
                config.models["chat"] = [ModelDeployment(provider: "a", model: "m", weight: -1)]
                config.healthChecks.interval = .zero
                return config
            }()
        ).map(\.path)
        #expect(
            Set(semantic).isSuperset(of: [
                "providers.a.first_byte_timeout_seconds", "providers.a.circuit_breaker.error_rate_threshold",
                "models.chat[0].weight", "health_checks.interval_seconds",
            ])
        )
    }
}
