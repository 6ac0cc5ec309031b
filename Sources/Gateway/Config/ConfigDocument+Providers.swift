import Yams

/// `providers:` — one entry per upstream, with its limits, timeouts, breaker and mock behaviour.
extension ConfigDocument {
    mutating func readProviders(_ node: Node) -> [String: ProviderConfig] {
        var providers: [String: ProviderConfig] = [:]
        for (name, value) in reader.mapping(node, at: "providers") ?? [] {
            if let provider = readProvider(name: name, value) {
                providers[name] = provider
            }
        }
        return providers
    }

    mutating func readProvider(name: String, _ node: Node) -> ProviderConfig? {
        let path = "providers.\(name)"
        let known: Set = [
            "type", "enabled", "base_url", "api_key", "api_version", "timeout_seconds", "connect_timeout_seconds",
            "first_byte_timeout_seconds", "idle_timeout_seconds", "max_retries", "rate_limit", "circuit_breaker",
            "models", "mock", "region", "tls", "stream_usage",
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
            case "connect_timeout_seconds": provider.connectTimeoutSeconds = reader.double(value, at: keyPath)
            case "first_byte_timeout_seconds": provider.firstByteTimeoutSeconds = reader.double(value, at: keyPath)
            case "idle_timeout_seconds": provider.idleTimeoutSeconds = reader.double(value, at: keyPath)
            case "max_retries": assign(&provider.maxRetries, reader.int(value, at: keyPath))
            case "rate_limit": provider.rateLimit = readRateLimit(value, at: keyPath)
            case "circuit_breaker": readCircuitBreaker(value, at: keyPath, into: &provider.circuitBreaker)
            case "models": assign(&provider.models, reader.stringList(value, at: keyPath))
            case "region": provider.region = reader.string(value, at: keyPath)
            case "mock": readMock(value, at: keyPath, into: &provider.mock)
            case "stream_usage": assign(&provider.streamUsage, reader.bool(value, at: keyPath))
            case "tls":
                for (field, file) in reader.mapping(value, at: keyPath, known: ["ca_file"]) ?? [] {
                    provider.caFile = reader.string(file, at: "\(keyPath).\(field)")
                }
            default: break
            }
        }
        return provider
    }

    mutating func readRateLimit(_ node: Node, at path: String) -> RateLimitConfig {
        var limit = RateLimitConfig()
        for (key, value) in reader.mapping(node, at: path, known: ["requests_per_minute", "tokens_per_minute", "window_seconds"]) ?? [] {
            let keyPath = "\(path).\(key)"
            switch key {
            case "requests_per_minute": limit.requestsPerMinute = reader.int(value, at: keyPath)
            case "tokens_per_minute": limit.tokensPerMinute = reader.int(value, at: keyPath)
            default: assign(&limit.window, seconds: reader.double(value, at: keyPath))
            }
        }
        return limit
    }

    mutating func readCircuitBreaker(_ node: Node, at path: String, into breaker: inout CircuitBreakerConfig) {
        let known: Set = [
            "failure_threshold", "cooldown_seconds", "success_threshold", "error_rate_threshold",
            "error_rate_window_seconds", "latency_threshold_ms", "latency_window_seconds", "minimum_requests",
        ]
        for (key, value) in reader.mapping(node, at: path, known: known) ?? [] {
            let keyPath = "\(path).\(key)"
            switch key {
            case "failure_threshold": assign(&breaker.failureThreshold, reader.int(value, at: keyPath))
            case "success_threshold": assign(&breaker.successThreshold, reader.int(value, at: keyPath))
            case "minimum_requests": assign(&breaker.minimumRequests, reader.int(value, at: keyPath))
            case "error_rate_threshold": assign(&breaker.errorRateThreshold, reader.double(value, at: keyPath))
            case "error_rate_window_seconds": assign(&breaker.errorRateWindow, seconds: reader.double(value, at: keyPath))
            case "latency_window_seconds": assign(&breaker.latencyWindow, seconds: reader.double(value, at: keyPath))
            case "latency_threshold_ms":
                assign(&breaker.latencyThreshold, seconds: reader.double(value, at: keyPath).map { $0 / 1000 })
            default: assign(&breaker.cooldown, seconds: reader.double(value, at: keyPath))
            }
        }
    }

    mutating func readMock(_ node: Node, at path: String, into mock: inout MockSettings) {
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
}
