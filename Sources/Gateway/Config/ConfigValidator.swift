import Foundation

/// Semantic checks shared by `serve` and `check-config`; returns every problem, with key paths.
public enum ConfigValidator {
    static let logLevels: Set = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public static func validate(_ config: GatewayConfig) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        func check(_ condition: Bool, _ path: String, _ message: String) {
            if !condition { problems.append(ConfigProblem(path: path, message: message)) }
        }
        let server = config.server
        check((0...65535).contains(server.port), "server.port", "must be between 0 and 65535")
        check((0...65535).contains(server.metricsPort), "server.metrics_port", "must be between 0 and 65535")
        check(server.port == 0 || server.port != server.metricsPort, "server.metrics_port", "must differ from server.port")
        check(server.maxConnections > 0, "server.max_connections", "must be > 0")
        check(server.timeoutSeconds > 0, "server.timeout_seconds", "must be > 0")
        check(server.maxBodyBytes > 0, "server.max_body_bytes", "must be > 0")
        check(server.shutdownTimeoutSeconds >= 0, "server.shutdown_timeout_seconds", "must be >= 0")
        check(server.drainDelaySeconds >= 0, "server.drain_delay_seconds", "must be >= 0")
        check(server.maxOutputTokens > 0, "server.max_output_tokens", "must be > 0")
        check(server.requestHeadTimeoutSeconds > 0, "server.request_head_timeout_seconds", "must be > 0")
        check(server.requestBodyTimeoutSeconds > 0, "server.request_body_timeout_seconds", "must be > 0")
        check(server.idleTimeoutSeconds > 0, "server.idle_timeout_seconds", "must be > 0")
        if let tls = server.tls {
            do throws(PEMProblem) {
                _ = try ListenerTLS.makeContext(tls)
                if let problem = PEMFiles.problem(tls.certFile) { check(false, "server.tls.cert_file", problem) }
            } catch {
                check(false, "server.tls", error.message)
            }
        }
        check(config.logging.bufferBytes >= 4096, "logging.buffer_bytes", "must be >= 4096")
        check(config.cache.maxEntryBytes > 0, "cache.max_entry_bytes", "must be > 0")

        for (name, provider) in config.providers.sorted(by: { $0.key < $1.key }) {
            problems += validate(provider: provider, at: "providers.\(name)")
        }

        let pool = config.connectionPool
        check(pool.maxIdlePerHost >= 0, "connection_pool.max_idle_per_host", "must be >= 0")
        check(pool.idleTimeoutSeconds > 0, "connection_pool.idle_timeout_seconds", "must be > 0")
        check(pool.connectTimeoutSeconds > 0, "connection_pool.connect_timeout_seconds", "must be > 0")
        check(pool.maxConnectionsPerProvider > 0, "connection_pool.max_connections_per_provider", "must be > 0")
        check(config.cache.ttlSeconds > 0, "cache.ttl_seconds", "must be > 0")
        check(config.cache.maxSizeMB > 0, "cache.max_size_mb", "must be > 0")
        check(logLevels.contains(config.logging.level), "logging.level", "must be one of \(logLevels.sorted().joined(separator: ", "))")

        if let loki = config.logging.loki {
            let url = URL(string: loki.url)
            check(url?.host != nil && ["http", "https"].contains(url?.scheme ?? ""), "logging.loki.url", "must be an absolute http(s) URL")
        }

        var seenKeys: Set<String> = []
        for (index, key) in config.auth.apiKeys.enumerated() {
            check(!key.key.isEmpty, "auth.api_keys[\(index)].key", "must not be empty")
            check(seenKeys.insert(key.key).inserted, "auth.api_keys[\(index)].key", "duplicates an earlier key")
        }

        for (name, route) in config.models.sorted(by: { $0.key < $1.key }) {
            let deployments = route.deployments
            check(!deployments.isEmpty, "models.\(name)", "needs at least one deployment")
            check(!name.contains("/"), "models.\(name)", "public names may not contain '/' (reserved for provider/model)")
            for (index, deployment) in deployments.enumerated() {
                let path = "models.\(name)[\(index)]"
                if let provider = config.providers[deployment.provider] {
                    check(provider.enabled, "\(path).provider", "provider \"\(deployment.provider)\" is disabled")
                } else {
                    problems.append(ConfigProblem(path: "\(path).provider", message: "no provider named \"\(deployment.provider)\""))
                }
                check(!deployment.model.isEmpty, "\(path).model", "must not be empty")
                check(deployment.weight > 0, "\(path).weight", "must be > 0")
            }
        }
        let checks = config.healthChecks
        check(checks.interval > .zero, "health_checks.interval_seconds", "must be > 0")
        check(checks.timeout > .zero, "health_checks.timeout_seconds", "must be > 0")
        check(checks.unhealthyThreshold > 0, "health_checks.unhealthy_threshold", "must be > 0")
        check(checks.healthyThreshold > 0, "health_checks.healthy_threshold", "must be > 0")
        check((0...1).contains(checks.errorRateThreshold), "health_checks.error_rate_threshold", "must be between 0 and 1")
        check(checks.errorRateWindow > .zero, "health_checks.error_rate_window_seconds", "must be > 0")
        check(checks.minimumRequests > 0, "health_checks.minimum_requests", "must be > 0")
        if let redis = config.redisURL {
            check(RedisEndpoint(url: redis) != nil, "redis.url", "must be redis://[[user]:password@]host[:port][/db]")
        }
        check(config.redis.poolSize > 0, "redis.pool_size", "must be > 0")
        problems += validate(residency: config.dataResidency, providers: config.enabledProviders)
        check(config.redis.commandTimeout > .zero, "redis.command_timeout_ms", "must be > 0")
        for (index, key) in config.auth.apiKeys.enumerated() {
            if let limit = key.rateLimit { problems += validate(limit: limit, at: "auth.api_keys[\(index)].rate_limit") }
        }
        return problems
    }

    /// With data residency on, every enabled provider must say where it processes data, and that region must be allowed.
    static func validate(residency: DataResidencyConfig, providers: [(name: String, config: ProviderConfig)]) -> [ConfigProblem] {
        guard residency.enabled else { return [] }
        var problems: [ConfigProblem] = []
        for (name, provider) in providers {
            let path = "providers.\(name).region"
            guard let region = provider.region else {
                problems.append(.init(path: path, message: "required while data_residency is enabled (or set enabled: false)"))
                continue
            }
            if residency.denyRegions.contains(region) {
                problems.append(.init(path: path, message: "\(region) is in data_residency.deny_regions"))
            } else if !residency.allowedRegions.isEmpty && !residency.allowedRegions.contains(region) {
                problems.append(.init(path: path, message: "\(region) is not in data_residency.allowed_regions"))
            }
        }
        return problems
    }

    static func validate(limit: RateLimitConfig, at path: String) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if (limit.requestsPerMinute ?? 1) <= 0 { problems.append(.init(path: "\(path).requests_per_minute", message: "must be > 0")) }
        if (limit.tokensPerMinute ?? 1) <= 0 { problems.append(.init(path: "\(path).tokens_per_minute", message: "must be > 0")) }
        if limit.window <= .zero { problems.append(.init(path: "\(path).window_seconds", message: "must be > 0")) }
        return problems
    }

    static func validate(provider: ProviderConfig, at path: String) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        func check(_ condition: Bool, _ key: String, _ message: String) {
            if !condition { problems.append(ConfigProblem(path: "\(path).\(key)", message: message)) }
        }
        check(provider.timeoutSeconds > 0, "timeout_seconds", "must be > 0")
        if let caFile = provider.caFile, let problem = PEMFiles.problem(caFile) { check(false, "tls.ca_file", problem) }
        check((provider.connectTimeoutSeconds ?? 1) > 0, "connect_timeout_seconds", "must be > 0")
        check((provider.firstByteTimeoutSeconds ?? 1) > 0, "first_byte_timeout_seconds", "must be > 0")
        check((provider.idleTimeoutSeconds ?? 1) > 0, "idle_timeout_seconds", "must be > 0")
        check((0...10).contains(provider.maxRetries), "max_retries", "must be between 0 and 10")
        if let limit = provider.rateLimit { problems += validate(limit: limit, at: "\(path).rate_limit") }
        if let base = provider.baseURL {
            let url = URL(string: base)
            let valid = url?.host != nil && ["http", "https"].contains(url?.scheme ?? "")
            check(valid, "base_url", "must be an absolute http(s) URL, got \"\(base)\"")
        } else {
            check(provider.type != .azureOpenAI, "base_url", "required for azure_openai (https://RESOURCE.openai.azure.com)")
        }
        if provider.type == .azureOpenAI && provider.enabled {
            check(provider.apiKey?.isEmpty == false, "api_key", "required for azure_openai (or set AZURE_OPENAI_API_KEY)")
        }
        let breaker = provider.circuitBreaker
        check(breaker.failureThreshold > 0, "circuit_breaker.failure_threshold", "must be > 0")
        check(breaker.successThreshold > 0, "circuit_breaker.success_threshold", "must be > 0")
        check(breaker.cooldown > .zero, "circuit_breaker.cooldown_seconds", "must be > 0")
        check((0...1).contains(breaker.errorRateThreshold), "circuit_breaker.error_rate_threshold", "must be between 0 and 1")
        check(breaker.errorRateWindow > .zero, "circuit_breaker.error_rate_window_seconds", "must be > 0")
        check(breaker.latencyThreshold >= .zero, "circuit_breaker.latency_threshold_ms", "must be >= 0 (0 disables)")
        check(breaker.latencyWindow > .zero, "circuit_breaker.latency_window_seconds", "must be > 0")
        check(breaker.minimumRequests > 0, "circuit_breaker.minimum_requests", "must be > 0")
        let mock = provider.mock
        check(mock.latencyMs >= 0, "mock.latency_ms", "must be >= 0")
        check(mock.timeToFirstTokenMs >= 0, "mock.ttft_ms", "must be >= 0")
        check(mock.interTokenMs >= 0, "mock.inter_token_ms", "must be >= 0")
        check(mock.replyTokens > 0, "mock.reply_tokens", "must be > 0")
        check((0...1).contains(mock.errorRate), "mock.error_rate", "must be between 0 and 1")
        check((400...599).contains(mock.errorStatus), "mock.error_status", "must be an HTTP error status (400-599)")
        return problems
    }
}
