import Yams

/// Maps a parsed YAML document onto ``GatewayConfig``, section by section.
///
/// Unknown keys are reported: a typo such as `timeout_second` would otherwise silently keep a default.
struct ConfigDocument {
    var reader: ConfigReader

    mutating func read(_ root: Node) -> GatewayConfig {
        var config = GatewayConfig()
        let sections: Set = [
            "server", "providers", "connection_pool", "cache", "logging", "auth", "models", "health_checks", "redis",
            "region", "data_residency", "pricing", "responses",
        ]
        for (key, node) in reader.mapping(root, at: "", known: sections) ?? [] {
            switch key {
            case "server": readServer(node, into: &config.server)
            case "providers": config.providers = readProviders(node)
            case "connection_pool": readConnectionPool(node, into: &config.connectionPool)
            case "cache": readCache(node, into: &config.cache)
            case "logging": readLogging(node, into: &config.logging)
            case "auth": config.auth = readAuth(node)
            case "models": config.models = readModels(node)
            case "health_checks": readHealthChecks(node, into: &config.healthChecks)
            case "region": config.region = reader.string(node, at: "region")
            case "data_residency": readDataResidency(node, into: &config.dataResidency)
            case "pricing": readPricing(node, into: &config.pricing)
            case "responses": readResponses(node, into: &config.responses)
            case "redis":
                readRedis(node, into: &config)
            default: break
            }
        }
        return config
    }

    private mutating func readServer(_ node: Node, into server: inout ServerConfig) {
        let known: Set = [
            "host", "port", "metrics_port", "max_connections", "timeout_seconds", "max_body_bytes",
            "shutdown_timeout_seconds", "drain_delay_seconds", "max_output_tokens", "request_head_timeout_seconds",
            "request_body_timeout_seconds", "idle_timeout_seconds", "tls",
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
            case "max_output_tokens": assign(&server.maxOutputTokens, reader.int(value, at: path))
            case "request_head_timeout_seconds": assign(&server.requestHeadTimeoutSeconds, reader.double(value, at: path))
            case "request_body_timeout_seconds": assign(&server.requestBodyTimeoutSeconds, reader.double(value, at: path))
            case "idle_timeout_seconds": assign(&server.idleTimeoutSeconds, reader.double(value, at: path))
            case "tls": server.tls = readServerTLS(value)
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
        let known: Set = ["enabled", "ttl_seconds", "max_size_mb", "max_entry_bytes", "shared_across_keys"]
        for (key, value) in reader.mapping(node, at: "cache", known: known) ?? [] {
            let path = "cache.\(key)"
            switch key {
            case "enabled": assign(&cache.enabled, reader.bool(value, at: path))
            case "ttl_seconds": assign(&cache.ttlSeconds, reader.int(value, at: path))
            case "max_size_mb": assign(&cache.maxSizeMB, reader.int(value, at: path))
            case "max_entry_bytes": assign(&cache.maxEntryBytes, reader.int(value, at: path))
            case "shared_across_keys": assign(&cache.sharedAcrossKeys, reader.bool(value, at: path))
            default: break
            }
        }
    }

    /// `server.tls`: `cert_file` and `key_file` required, `client_ca_file` and `metrics` optional.
    private mutating func readServerTLS(_ node: Node) -> ServerTLSConfig? {
        var files: [String: String] = [:]
        var metrics = false
        for (key, value) in reader.mapping(node, at: "server.tls", known: ["cert_file", "key_file", "client_ca_file", "metrics"]) ?? [] {
            if key == "metrics" {
                assign(&metrics, reader.bool(value, at: "server.tls.metrics"))
            } else if let file = reader.string(value, at: "server.tls.\(key)") {
                files[key] = file
            }
        }
        guard let cert = files["cert_file"], let key = files["key_file"] else {
            reader.report("server.tls", "needs cert_file and key_file")
            return nil
        }
        var tls = ServerTLSConfig(certFile: cert, keyFile: key, clientCAFile: files["client_ca_file"])
        tls.metrics = metrics
        return tls
    }

    private mutating func readResponses(_ node: Node, into responses: inout ResponsesStoreConfig) {
        for (key, value) in reader.mapping(node, at: "responses", known: ["ttl_seconds", "max_size_mb", "max_entry_bytes"]) ?? [] {
            let path = "responses.\(key)"
            guard let number = reader.int(value, at: path) else { continue }
            guard number > 0 else {
                reader.report(path, "must be > 0")
                continue
            }
            switch key {
            case "ttl_seconds": responses.ttlSeconds = number
            case "max_size_mb": responses.maxSizeMB = number
            default: responses.maxEntryBytes = number
            }
        }
    }

    private mutating func readLogging(_ node: Node, into logging: inout LoggingConfig) {
        let known: Set = ["level", "format", "output", "include_content", "loki", "buffer_bytes"]
        for (key, value) in reader.mapping(node, at: "logging", known: known) ?? [] {
            let path = "logging.\(key)"
            if key == "buffer_bytes" {
                assign(&logging.bufferBytes, reader.int(value, at: path))
                continue
            }
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
                var limit: RateLimitConfig?
                var budget: BudgetConfig?
                for (field, fieldValue) in reader.mapping(item, at: path, known: ["name", "key", "rate_limit", "budget"]) ?? [] {
                    switch field {
                    case "name": assign(&name, reader.string(fieldValue, at: "\(path).name"))
                    case "rate_limit": limit = readRateLimit(fieldValue, at: "\(path).rate_limit")
                    case "budget": budget = readBudget(fieldValue, at: "\(path).budget")
                    default: secret = reader.string(fieldValue, at: "\(path).key")
                    }
                }
                if let secret {
                    auth.apiKeys.append(ClientKey(name: name, key: secret, rateLimit: limit, budget: budget))
                } else {
                    reader.report("\(path).key", "required")
                }
            }
        }
        return auth
    }

    private mutating func readDataResidency(_ node: Node, into residency: inout DataResidencyConfig) {
        let known: Set = ["enabled", "allowed_regions", "deny_regions", "allowed_models"]
        for (key, value) in reader.mapping(node, at: "data_residency", known: known) ?? [] {
            let path = "data_residency.\(key)"
            switch key {
            case "enabled": assign(&residency.enabled, reader.bool(value, at: path))
            case "allowed_regions": assign(&residency.allowedRegions, reader.stringList(value, at: path))
            case "deny_regions": assign(&residency.denyRegions, reader.stringList(value, at: path))
            default: assign(&residency.allowedModels, reader.stringList(value, at: path))
            }
        }
    }

    private mutating func readRedis(_ node: Node, into config: inout GatewayConfig) {
        let known: Set = ["url", "pool_size", "command_timeout_ms", "fail_open"]
        for (key, value) in reader.mapping(node, at: "redis", known: known) ?? [] {
            let path = "redis.\(key)"
            switch key {
            case "url": config.redisURL = reader.string(value, at: path)
            case "pool_size": assign(&config.redis.poolSize, reader.int(value, at: path))
            case "fail_open": assign(&config.redis.failOpen, reader.bool(value, at: path))
            default: assign(&config.redis.commandTimeout, seconds: reader.double(value, at: path).map { $0 / 1000 })
            }
        }
    }

    func assign<Value>(_ target: inout Value, _ value: Value?) {
        if let value { target = value }
    }

    /// Assigns a number of seconds read from YAML as a `Duration`.
    func assign(_ target: inout Duration, seconds: Double?) {
        if let seconds { target = .seconds(seconds) }
    }
}
