/// The settings a reload cannot change in a running process: the listeners (address, ports, TLS files,
/// connection and body limits, the slow-client timeouts and the shutdown timing), logging, and the Redis
/// connection. A reload keeps their running values and names each one that changed, so the operator knows
/// a restart is needed for it.
enum RestartOnlySettings {
    /// Sets every restart-only setting of `next` back to `running`'s; the key paths of those that differed.
    static func pin(_ next: inout GatewayConfig, to running: GatewayConfig) -> [String] {
        var changed: [String] = []
        func keep<Value: Equatable>(_ path: String, _ key: WritableKeyPath<GatewayConfig, Value>) {
            guard next[keyPath: key] != running[keyPath: key] else { return }
            changed.append(path)
            next[keyPath: key] = running[keyPath: key]
        }
        keep("server.host", \.server.host)
        keep("server.port", \.server.port)
        keep("server.metrics_port", \.server.metricsPort)
        keep("server.tls", \.server.tls)
        keep("server.max_connections", \.server.maxConnections)
        keep("server.max_body_bytes", \.server.maxBodyBytes)
        keep("server.request_head_timeout_seconds", \.server.requestHeadTimeoutSeconds)
        keep("server.request_body_timeout_seconds", \.server.requestBodyTimeoutSeconds)
        keep("server.idle_timeout_seconds", \.server.idleTimeoutSeconds)
        keep("server.shutdown_timeout_seconds", \.server.shutdownTimeoutSeconds)
        keep("server.drain_delay_seconds", \.server.drainDelaySeconds)
        keep("logging", \.logging)
        keep("REDIS_URL", \.redisURL)
        keep("redis", \.redis)
        return changed
    }
}
