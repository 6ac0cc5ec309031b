import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceLifecycle
import Telemetry

@testable import Gateway

/// A real gateway on loopback ports, started from a ``GatewayConfig`` and driven over HTTP.
struct GatewayHarness: Sendable {
    let runtime: GatewayRuntime
    let apiPort: Int
    let metricsPort: Int
    let group: ServiceGroup
    let client: HTTPClient

    var baseURL: String { "http://127.0.0.1:\(apiPort)" }

    /// Starts a gateway, runs `body`, then shuts it down gracefully.
    static func with<T: Sendable>(
        _ config: GatewayConfig,
        spans: (any SpanSink)? = nil,
        _ body: (GatewayHarness) async throws -> T
    ) async throws -> T {
        var config = config
        config.server.host = "127.0.0.1"
        config.server.port = 0
        config.server.metricsPort = 0
        var logger = Logger(label: "gateway-test")
        logger.logLevel = .error
        let runtime = GatewayRuntime(config: config, logger: logger, spans: spans)
        let ports = AsyncStream<(String, Int)>.makeStream()
        let group = runtime.serviceGroup(
            signals: [],
            apiBound: { ports.continuation.yield(("api", $0)) },
            metricsBound: { ports.continuation.yield(("metrics", $0)) }
        )
        let task = Task { try await group.run() }
        var bound: [String: Int] = [:]
        for await (name, port) in ports.stream {
            bound[name] = port
            if bound.count == 2 { break }
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let harness = GatewayHarness(runtime: runtime, apiPort: bound["api"]!, metricsPort: bound["metrics"]!, group: group, client: client)
        do {
            let result = try await body(harness)
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            try await task.value
            return result
        } catch {
            try? await client.shutdown()
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    }

    func post(_ path: String, json: String, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: json))
        return try await send(request)
    }

    func get(_ path: String, port: Int? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port ?? apiPort)\(path)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await send(request)
    }

    func send(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 24)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    static func chatBody(model: String, stream: Bool = false, extra: String = "") -> String {
        #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"Say hello"}]\#(extra)}"#
    }
}

extension GatewayConfig {
    /// The embedded default plus an `openai`-typed provider named `upstream` pointing at `baseURL`
    /// (no retries unless asked, so each request is exactly one upstream attempt).
    static func withUpstream(
        _ baseURL: String,
        timeoutSeconds: Double = 10,
        maxRetries: Int = 0,
        models: [String: ModelRoute] = [:]
    ) -> GatewayConfig {
        var config = ConfigLoader.embeddedDefault()
        var upstream = ProviderConfig(type: .openai)
        upstream.maxRetries = maxRetries
        upstream.baseURL = baseURL
        upstream.apiKey = "sk-upstream-secret"
        upstream.timeoutSeconds = timeoutSeconds
        config.providers["upstream"] = upstream
        config.models = models
        // Probes would add requests the tests' upstream scripts do not expect; health tests switch them on.
        config.healthChecks.enabled = false
        return config
    }
}
