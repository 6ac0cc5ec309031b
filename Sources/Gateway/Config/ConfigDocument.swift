import Yams

/// Maps a parsed YAML document onto ``GatewayConfig``, section by section.
///
/// Unknown keys are reported: a typo such as `timeout_second` would otherwise silently keep a default.
struct ConfigDocument {
    var reader: ConfigReader

    mutating func read(_ root: Node) -> GatewayConfig {
        var config = GatewayConfig()
        let sections: Set = ["server", "providers", "connection_pool", "cache", "logging", "auth", "models", "redis"]
        for (key, node) in reader.mapping(root, at: "", known: sections) ?? [] {
            switch key {
            case "server": readServer(node, into: &config.server)
            case "providers": config.providers = readProviders(node)
            case "connection_pool": readConnectionPool(node, into: &config.connectionPool)
            case "cache": readCache(node, into: &config.cache)
            case "logging": readLogging(node, into: &config.logging)
            case "auth": config.auth = readAuth(node)
            case "models": config.models = readModels(node)
            case "redis":
                for (key, value) in reader.mapping(node, at: "redis", known: ["url"]) ?? [] where key == "url" {
                    config.redisURL = reader.string(value, at: "redis.url")
                }
            default: break
            }
        }
        return config
    }

    private mutating func readServer(_ node: Node, into server: inout ServerConfig) {
        let known: Set = [
            "host", "port", "metrics_port", "max_connections", "timeout_seconds", "max_body_bytes",
            "shutdown_timeout_seconds", "drain_delay_seconds",
        ]
        for (key, value) in reader.mapping(node, at: "server", known: known) ?? [] {
            let path = "server.\(key)"
            switch key {
            case "host": assign(&server.host, reader.string(value, at: path))
            case "port": assign(&server.port, reader.int(value, at: path))
            case "metrics_port": assign(&server.metricsPort, reader.int(value, at: path))
            case "max_connections": assign(&server.maxConnections, reader.int(value, at: path))
            case "timeout_seconds": assign(&server.timeoutSeconds, reader.double(value, at: path))
            case "max_body_bytes": assign(&server.maxBodyBytes, reader.int(value, at: path))
            case "shutdown_timeout_seconds": assign(&server.shutdownTimeoutSeconds, reader.double(value, at: path))
            case "drain_delay_seconds": assign(&server.drainDelaySeconds, reader.double(value, at: path))
            default: break
            }
        }
    }

    private mutating func readProviders(_ node: Node) -> [String: ProviderConfig] {
        var providers: [String: ProviderConfig] = [:]
        for (name, value) in reader.mapping(node, at: "providers") ?? [] {
            if let provider = readProvider(name: name, value) {
                providers[name] = provider
            }
        }
        return providers
    }

    private mutating func readProvider(name: String, _ node: Node) -> ProviderConfig? {
        let path = "providers.\(name)"
        let known: Set = [
            "type", "enabled", "base_url", "api_key", "api_version", "timeout_seconds", "max_retries",
            "rate_limit", "circuit_breaker", "models", "mock",
        ]
        guard let entries = reader.mapping(node, at: path, known: known) else { return nil }
        var typeName = name
        if let typeNode = entries.first(where: { $0.key == "type" })?.value {
            guard let declared = reader.string(typeNode, at: "\(path).type") else { return nil }
            typeName = declared
        }
        guard let type = ProviderType(rawValue: typeName) else {
            let choices = ProviderType.allCases.map(\.rawValue).joined(separator: ", ")
            reader.report("\(path).type", "unknown provider type \"\(typeName)\" (expected one of: \(choices))")
            return nil
        }
        var provider = ProviderConfig(type: type)
        for (key, value) in entries {
            let keyPath = "\(path).\(key)"
            switch key {
            case "enabled": assign(&provider.enabled, reader.bool(value, at: keyPath))
            case "base_url": provider.baseURL = reader.string(value, at: keyPath)
            case "api_key": provider.apiKey = reader.string(value, at: keyPath)
            case "api_version": provider.apiVersion = reader.string(value, at: keyPath)
            case "timeout_seconds": assign(&provider.timeoutSeconds, reader.double(value, at: keyPath))
            case "max_retries": assign(&provider.maxRetries, reader.int(value, at: keyPath))
            case "rate_limit": provider.rateLimit = readRateLimit(value, at: keyPath)
            case "circuit_breaker": readCircuitBreaker(value, at: keyPath, into: &provider.circuitBreaker)
            case "models": assign(&provider.models, reader.stringList(value, at: keyPath))
            case "mock": readMock(value, at: keyPath, into: &provider.mock)
            default: break
            }
        }
        return provider
    }

    private mutating func readRateLimit(_ node: Node, at path: String) -> RateLimitConfig {
        var limit = RateLimitConfig()
        for (key, value) in reader.mapping(node, at: path, known: ["requests_per_minute", "tokens_per_minute"]) ?? [] {
            let number = reader.int(value, at: "\(path).\(key)")
            if key == "requests_per_minute" { limit.requestsPerMinute = number } else { limit.tokensPerMinute = number }
        }
        return limit
    }

    private mutating func readCircuitBreaker(_ node: Node, at path: String, into breaker: inout CircuitBreakerConfig) {
        let known: Set = ["failure_threshold", "cooldown_seconds", "success_threshold"]
        for (key, value) in reader.mapping(node, at: path, known: known) ?? [] {
            let keyPath = "\(path).\(key)"
            switch key {
            case "failure_threshold": assign(&breaker.failureThreshold, reader.int(value, at: keyPath))
            case "success_threshold": assign(&breaker.successThreshold, reader.int(value, at: keyPath))
            default:
                if let seconds = reader.double(value, at: keyPath) { breaker.cooldown = .milliseconds(Int64(seconds * 1000)) }
            }
        }
    }

    private mutating func readMock(_ node: Node, at path: String, into mock: inout MockSettings) {
        let known: Set = ["latency_ms", "ttft_ms", "inter_token_ms", "reply_tokens", "error_rate", "error_status"]
        for (key, value) in reader.mapping(node, at: path, known: known) ?? [] {
            let keyPath = "\(path).\(key)"
            switch key {
            case "latency_ms": assign(&mock.latencyMs, reader.int(value, at: keyPath))
            case "ttft_ms": assign(&mock.timeToFirstTokenMs, reader.int(value, at: keyPath))
            case "inter_token_ms": assign(&mock.interTokenMs, reader.int(value, at: keyPath))
            case "reply_tokens": assign(&mock.replyTokens, reader.int(value, at: keyPath))
            case "error_rate": assign(&mock.errorRate, reader.double(value, at: keyPath))
            case "error_status": assign(&mock.errorStatus, reader.int(value, at: keyPath))
            default: break
            }
        }
    }

    private mutating func readConnectionPool(_ node: Node, into pool: inout ConnectionPoolConfig) {
        let known: Set = [
            "max_idle_per_host", "idle_timeout_seconds", "connect_timeout_seconds", "max_connections_per_provider",
        ]
        for (key, value) in reader.mapping(node, at: "connection_pool", known: known) ?? [] {
            let path = "connection_pool.\(key)"
            switch key {
            case "max_idle_per_host": assign(&pool.maxIdlePerHost, reader.int(value, at: path))
            case "idle_timeout_seconds": assign(&pool.idleTimeoutSeconds, reader.double(value, at: path))
            case "connect_timeout_seconds": assign(&pool.connectTimeoutSeconds, reader.double(value, at: path))
            case "max_connections_per_provider": assign(&pool.maxConnectionsPerProvider, reader.int(value, at: path))
            default: break
            }
        }
    }

    private mutating func readCache(_ node: Node, into cache: inout CacheConfig) {
        for (key, value) in reader.mapping(node, at: "cache", known: ["enabled", "ttl_seconds", "max_size_mb"]) ?? [] {
            let path = "cache.\(key)"
            switch key {
            case "enabled": assign(&cache.enabled, reader.bool(value, at: path))
            case "ttl_seconds": assign(&cache.ttlSeconds, reader.int(value, at: path))
            case "max_size_mb": assign(&cache.maxSizeMB, reader.int(value, at: path))
            default: break
            }
        }
    }

    private mutating func readLogging(_ node: Node, into logging: inout LoggingConfig) {
        for (key, value) in reader.mapping(node, at: "logging", known: ["level", "format", "output", "include_content", "loki"]) ?? [] {
            let path = "logging.\(key)"
            if key == "include_content" {
                assign(&logging.includeContent, reader.bool(value, at: path))
                continue
            }
            if key == "loki" {
                logging.loki = readLoki(value)
                continue
            }
            guard let text = reader.string(value, at: path) else { continue }
            switch key {
            case "level": logging.level = text
            case "format":
                if let format = LoggingConfig.Format(rawValue: text) {
                    logging.format = format
                } else {
                    reader.report(path, "expected json or text, got \"\(text)\"")
                }
            case "output":
                if let output = LoggingConfig.Output(rawValue: text) {
                    logging.output = output
                } else {
                    reader.report(path, "expected stdout or stderr, got \"\(text)\"")
                }
            default: break
            }
        }
    }

    private mutating func readLoki(_ node: Node) -> LokiSettings? {
        var settings = LokiSettings(url: "")
        for (key, value) in reader.mapping(node, at: "logging.loki", known: ["url", "tenant_id", "env"]) ?? [] {
            let text = reader.string(value, at: "logging.loki.\(key)")
            switch key {
            case "url": settings.url = text ?? ""
            case "tenant_id": settings.tenantID = text
            default: settings.environment = text
            }
        }
        return settings
    }

    private mutating func readAuth(_ node: Node) -> AuthConfig {
        var auth = AuthConfig()
        for (key, value) in reader.mapping(node, at: "auth", known: ["api_keys"]) ?? [] where key == "api_keys" {
            guard let items = value.sequence else {
                reader.report("auth.api_keys", "expected a list of keys")
                continue
            }
            for (index, item) in items.enumerated() {
                let path = "auth.api_keys[\(index)]"
                if item.mapping == nil {
                    if let key = reader.string(item, at: path) {
                        auth.apiKeys.append(ClientKey(name: "key-\(index)", key: key))
                    }
                    continue
                }
                var name = "key-\(index)"
                var secret: String?
                for (field, fieldValue) in reader.mapping(item, at: path, known: ["name", "key"]) ?? [] {
                    if field == "name" {
                        assign(&name, reader.string(fieldValue, at: "\(path).name"))
                    } else {
                        secret = reader.string(fieldValue, at: "\(path).key")
                    }
                }
                if let secret {
                    auth.apiKeys.append(ClientKey(name: name, key: secret))
                } else {
                    reader.report("\(path).key", "required")
                }
            }
        }
        return auth
    }

    private mutating func readModels(_ node: Node) -> [String: [ModelDeployment]] {
        var models: [String: [ModelDeployment]] = [:]
        for (name, value) in reader.mapping(node, at: "models") ?? [] {
            let path = "models.\(name)"
            guard let items = value.sequence else {
                reader.report(path, "expected a list of deployments ({provider, model})")
                continue
            }
            var deployments: [ModelDeployment] = []
            for (index, item) in items.enumerated() {
                let itemPath = "\(path)[\(index)]"
                var provider: String?
                var model: String?
                for (key, fieldValue) in reader.mapping(item, at: itemPath, known: ["provider", "model"]) ?? [] {
                    let text = reader.string(fieldValue, at: "\(itemPath).\(key)")
                    if key == "provider" { provider = text } else { model = text }
                }
                guard let provider else {
                    reader.report("\(itemPath).provider", "required")
                    continue
                }
                deployments.append(ModelDeployment(provider: provider, model: model ?? name))
            }
            models[name] = deployments
        }
        return models
    }

    private func assign<Value>(_ target: inout Value, _ value: Value?) {
        if let value { target = value }
    }
}
