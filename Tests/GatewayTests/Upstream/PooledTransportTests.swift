import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Telemetry
import Testing

@testable import Gateway

/// The gateway's own keep-alive pool against a real HTTP server on loopback: reuse, the connection limit
/// and its waiters, the limits enforced by the connection's timer, and connections that must not be reused.
@Suite("Upstream connection pool")
struct PooledTransportTests {
    /// A transport for provider `p` with the given limits, and the registry its metrics go to.
    /// Limits far above what the exchanges take: the suite runs beside CPU-heavy ones, and a test that means
    /// to hit a limit sets its own.
    static func transport(
        maxConnections: Int = 8,
        firstByte: Duration = .seconds(30),
        idle: Duration = .seconds(30)
    ) -> (PooledTransport, MetricsRegistry) {
        var pool = ConnectionPoolConfig()
        pool.maxConnectionsPerProvider = maxConnections
        let registry = MetricsRegistry(version: "t", revision: "t")
        let timeouts = UpstreamTimeouts(connect: .seconds(2), firstByte: firstByte, idle: idle, total: .seconds(60))
        return (PooledTransport(provider: "p", pool: pool, timeouts: timeouts, registry: registry, logger: Logger(label: "test")), registry)
    }

    static func request(_ url: String, firstByte: Duration = .seconds(30)) -> UpstreamRequest {
        UpstreamRequest(
            url: url,
            headers: ["content-type": "application/json"],
            body: ByteBuffer(string: "{}"),
            timeout: firstByte,
            totalTimeout: .seconds(30)
        )
    }

    static func metric(_ registry: MetricsRegistry, _ series: String) -> Double {
        MetricsTests.value(String(decoding: registry.exposition(format: .prometheusText), as: UTF8.self), series) ?? -1
    }

    /// Answers `ok` after `delay`; with `close`, asks for the connection to be closed afterwards.
    static func upstream(delay: Duration = .zero) async throws -> TestUpstream {
        try await TestUpstream.start { request, _, writer in
            if delay > .zero { try await Task.sleep(for: delay) }
            let close = request.uri.path.hasSuffix("/close")
            var headers: HTTPFields = [.contentType: "text/plain", .contentLength: "2"]
            if close { headers[.connection] = "close" }
            try await writer.write(response: HTTPResponse(status: .ok, headerFields: headers), body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
    }

    @Test("sequential requests reuse one keep-alive connection, with the URL's path and query")
    func reuse() async throws {
        let upstream = try await Self.upstream()
        let (transport, registry) = Self.transport()
        for _ in 0..<20 {
            let response = try await transport.send(Self.request(upstream.baseURL + "/v1/x?q=1"))
            #expect(response.status == 200)
            #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "ok")
        }
        #expect(Self.metric(registry, #"llm_upstream_connections_opened_total{provider="p"}"#) == 1)
        #expect(Self.metric(registry, #"llm_upstream_connections{provider="p",state="idle"}"#) == 1)
        #expect(Self.metric(registry, #"llm_upstream_connections{provider="p",state="in_use"}"#) == 0)
        #expect(Self.metric(registry, #"llm_upstream_connection_wait_seconds_count{provider="p"}"#) == 20)
        let received = upstream.received
        #expect(received.count == 20 && received.allSatisfy { $0.path == "/v1/x?q=1" })
        try await transport.shutdown()
        await upstream.stop()
    }

    @Test("at the connection limit requests wait in line, are counted as waiters, and all get an answer")
    func limitAndWaiters() async throws {
        let upstream = try await Self.upstream(delay: .milliseconds(150))
        let (transport, registry) = Self.transport(maxConnections: 2)
        let peakWaiters = Mutex(0.0)
        let sampler = Task {
            while !Task.isCancelled {
                let waiting = Self.metric(registry, #"llm_upstream_connection_waiters{provider="p"}"#)
                peakWaiters.withLock { $0 = max($0, waiting) }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    // A generous first-byte limit: this test is about waiting in line, and the parallel suite
                    // can hold the stand-in upstream's tasks for seconds.
                    let response = try await transport.send(Self.request(upstream.baseURL + "/v1/x", firstByte: .seconds(30)))
                    _ = try await response.body.collect(upTo: 1024)
                    return response.status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        sampler.cancel()
        #expect(statuses == Array(repeating: 200, count: 8))
        #expect(Self.metric(registry, #"llm_upstream_connections_opened_total{provider="p"}"#) == 2)
        #expect(peakWaiters.withLock { $0 } >= 1)
        #expect(Self.metric(registry, #"llm_upstream_connection_waiters{provider="p"}"#) == 0)
        // Six requests waited at least one upstream answer (150 ms) for their connection.
        #expect(Self.metric(registry, #"llm_upstream_connection_wait_seconds_sum{provider="p"}"#) >= 0.6)
        try await transport.shutdown()
        await upstream.stop()
    }

    @Test("an answer that arrives in one read is handed over whole; one that arrives in parts is a sequence of them")
    func wholeOrInParts() async throws {
        let upstream = try await TestUpstream.start { request, _, writer in
            if request.uri.path.hasSuffix("/parts") {
                var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/plain"]))
                try await body.write(ByteBuffer(string: "first,"))
                try await Task.sleep(for: .milliseconds(100))
                try await body.write(ByteBuffer(string: "second"))
                try await body.finish(nil)
                return
            }
            let headers: HTTPFields = [.contentType: "text/plain", .contentLength: "5"]
            try await writer.write(response: HTTPResponse(status: .ok, headerFields: headers), body: .init(byteBuffer: ByteBuffer(string: "whole")))
        }
        let (transport, registry) = Self.transport()
        for _ in 0..<3 {
            let whole = try await transport.send(Self.request(upstream.baseURL + "/whole"))
            var chunks: [String] = []
            for try await chunk in whole.body { chunks.append(String(buffer: chunk)) }
            #expect(chunks == ["whole"])
            let parts = try await transport.send(Self.request(upstream.baseURL + "/parts"))
            chunks = []
            for try await chunk in parts.body { chunks.append(String(buffer: chunk)) }
            // Usually two chunks; one when a loaded machine reads both parts at once. Either way, all of it in order.
            #expect(chunks.joined() == "first,second")
            let collected = try await transport.send(Self.request(upstream.baseURL + "/whole"))
            #expect(String(buffer: try await collected.body.collect(upTo: 5)) == "whole")
            let tooLong = try await transport.send(Self.request(upstream.baseURL + "/whole"))
            await #expect(throws: GatewayError.self) { try await tooLong.body.collect(upTo: 4) }
        }
        // Every exchange ended cleanly: one connection served them all.
        #expect(Self.metric(registry, #"llm_upstream_connections_opened_total{provider="p"}"#) == 1)
        try await transport.shutdown()
        await upstream.stop()
    }

    @Test("a connection the server closes, or whose body the reader abandons, is not reused")
    func notReused() async throws {
        let upstream = try await TestUpstream.start { request, _, writer in
            if request.uri.path.hasSuffix("/long") {
                var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/plain"]))
                for _ in 0..<200 {
                    try await body.write(ByteBuffer(repeating: UInt8(ascii: "x"), count: 16384))
                    try await Task.sleep(for: .milliseconds(5))
                }
                try await body.finish(nil)
                return
            }
            var headers: HTTPFields = [.contentType: "text/plain", .contentLength: "2"]
            if request.uri.path.hasSuffix("/close") { headers[.connection] = "close" }
            try await writer.write(response: HTTPResponse(status: .ok, headerFields: headers), body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        let (transport, registry) = Self.transport()
        let closing = try await transport.send(Self.request(upstream.baseURL + "/close"))
        #expect(String(buffer: try await closing.body.collect(upTo: 1024)) == "ok")
        let after = try await transport.send(Self.request(upstream.baseURL + "/ok"))
        #expect(String(buffer: try await after.body.collect(upTo: 1024)) == "ok")
        #expect(Self.metric(registry, #"llm_upstream_connections_opened_total{provider="p"}"#) == 2)

        // Read one chunk of a long body, then drop it: the connection closes instead of going back.
        do {
            let long = try await transport.send(Self.request(upstream.baseURL + "/long"))
            var chunks = long.body.makeAsyncIterator()
            _ = try await chunks.next()
        }
        let next = try await transport.send(Self.request(upstream.baseURL + "/ok"))
        #expect(String(buffer: try await next.body.collect(upTo: 1024)) == "ok")
        #expect(Self.metric(registry, #"llm_upstream_connections_opened_total{provider="p"}"#) == 3)
        try await Self.eventually { Self.metric(registry, #"llm_upstream_connections{provider="p",state="in_use"}"#) == 0 }
        // The two closed connections are let go (a connection and its handler hold each other while open).
        for _ in 0..<20 {
            let closing = try await transport.send(Self.request(upstream.baseURL + "/close"))
            _ = try await closing.body.collect(upTo: 1024)
        }
        try await Self.eventually { transport.liveConnections == 0 }
        try await transport.shutdown()
        await upstream.stop()
    }

    @Test("the first byte of the body must come within the first-byte limit, each later chunk within the idle limit")
    func deadlines() async throws {
        let upstream = try await TestUpstream.start { request, _, writer in
            var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
            if request.uri.path.hasSuffix("/stall-first") {
                try await Task.sleep(for: .seconds(10))
            } else {
                try await body.write(OpenAIWire.chunk("a"))
                try await Task.sleep(for: .seconds(10))
            }
            try await body.finish(nil)
        }
        let (transport, _) = Self.transport(idle: .milliseconds(300))
        for (path, limit) in [("/stall-first", Duration.milliseconds(300)), ("/stall-later", .seconds(5))] {
            let started = ContinuousClock.now
            // The head may come at once or with the first body bytes (the server's choice): either wait is timed.
            await #expect(throws: GatewayError.upstreamTimeout) {
                let response = try await transport.send(Self.request(upstream.baseURL + path, firstByte: limit))
                _ = try await response.body.collect(upTo: 1 << 20)
            }
            let waited = ContinuousClock.now - started
            // Well before the upstream's 10 s (the margin is for a loaded machine running every suite at once).
            #expect(waited >= .milliseconds(250) && waited < .seconds(6), "\(path) timed out after \(waited)")
        }
        try await transport.shutdown()
        await upstream.stop()
    }

    @Test("an unreachable upstream fails every request quickly, waiters included; none hangs")
    func unreachable() async throws {
        let (transport, registry) = Self.transport(maxConnections: 1)
        let started = ContinuousClock.now
        let errors = await withTaskGroup(of: GatewayError?.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    do {
                        _ = try await transport.send(Self.request("http://127.0.0.1:1/v1/x"))
                        return nil
                    } catch {
                        return error as? GatewayError
                    }
                }
            }
            return await group.reduce(into: [GatewayError?]()) { $0.append($1) }
        }
        #expect(errors.count == 4)
        #expect(errors.allSatisfy { if case .upstreamUnreachable? = $0 { true } else { false } })
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(Self.metric(registry, #"llm_upstream_connection_waiters{provider="p"}"#) == 0)
        #expect(Self.metric(registry, #"llm_upstream_connections{provider="p",state="opening"}"#) == 0)
        try await transport.shutdown()
    }

    @Test("https: TLS with the provider's CA bundle, reused like plain connections; a certificate nobody vouches for is refused")
    func tls() async throws {
        let server = try await TLSTestServer.start()
        var pool = ConnectionPoolConfig()
        pool.maxConnectionsPerProvider = 4
        let registry = MetricsRegistry(version: "t", revision: "t")
        // Generous limits: this checks TLS, not deadlines, and handshakes are slow under the full parallel suite
        // (a 5 s first-byte limit timed out there once).
        let timeouts = UpstreamTimeouts(connect: .seconds(10), firstByte: .seconds(30), idle: .seconds(30), total: .seconds(60))
        let trusting = PooledTransport(
            provider: "p",
            pool: pool,
            timeouts: timeouts,
            registry: registry,
            logger: Logger(label: "test"),
            caFile: server.caFile
        )
        for host in ["localhost", "localhost", "127.0.0.1"] {
            let response = try await trusting.send(Self.request("https://\(host):\(server.port)/v1/models", firstByte: .seconds(30)))
            #expect(response.status == 200)
            #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "ok")
        }
        // One connection per origin: `localhost` twice, then `127.0.0.1` (checked against the IP SAN).
        #expect(Self.metric(registry, #"llm_upstream_connections_opened_total{provider="p"}"#) == 2)
        let (stranger, _) = Self.transport()
        await #expect {
            _ = try await stranger.send(Self.request("https://localhost:\(server.port)/v1/models", firstByte: .seconds(30)))
        } throws: { error in
            if case .upstreamUnreachable? = error as? GatewayError { true } else { false }
        }
        try await trusting.shutdown()
        try await stranger.shutdown()
        await server.stop()
    }

    @Test("URLs split into origin and target by hand, IPv6 and default ports included")
    func origins() {
        let plain = UpstreamOrigin.split("http://127.0.0.1:8080/v1/chat/completions")
        #expect(plain?.origin == UpstreamOrigin(tls: false, host: "127.0.0.1", port: 8080))
        #expect(plain?.target == "/v1/chat/completions")
        let tls = UpstreamOrigin.split("https://api.openai.com/v1/models?limit=1#frag")
        #expect(tls?.origin == UpstreamOrigin(tls: true, host: "api.openai.com", port: 443))
        #expect(tls?.target == "/v1/models?limit=1")
        #expect(tls?.origin.hostHeader == "api.openai.com")
        let six = UpstreamOrigin.split("http://[::1]:9000")
        #expect(six?.origin == UpstreamOrigin(tls: false, host: "::1", port: 9000))
        #expect(six?.target == "/")
        for bad in ["ftp://x/", "http://", "http://host:0/", "http://host:99999/", "http://user@host/", "http://[::1/", "http://host:abc/"] {
            #expect(UpstreamOrigin.split(bad) == nil, "\(bad)")
        }
    }

    static func eventually(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<100 where !condition() { try await Task.sleep(for: .milliseconds(20)) }
        #expect(condition())
    }
}

@Suite("Providers behind a private CA")
struct ProviderTLSTests {
    static let completion =
        #"{"id":"chatcmpl-t","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"over tls"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#

    @Test("providers.<name>.tls.ca_file: the provider's CA is trusted; without it the provider is unreachable; a bad file is a config problem")
    func privateCA() async throws {
        let server = try await TLSTestServer.start(body: Self.completion, contentType: "application/json")
        var config = GatewayConfig.withUpstream("https://localhost:\(server.port)/v1", timeoutSeconds: 30)
        config.providers["upstream"]?.caFile = server.caFile
        #expect(ConfigValidator.validate(config).isEmpty)
        let body = GatewayHarness.chatBody(model: "upstream/m")
        try await GatewayHarness.with(config) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: body)
            #expect(reply.status == 200 && reply.body.contains("over tls"))
        }
        config.providers["upstream"]?.caFile = nil
        try await GatewayHarness.with(config) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: body)
            #expect(reply.status == 502 && reply.error["code"] as? String == "upstream_unreachable")
        }
        config.providers["upstream"]?.caFile = "/nonexistent/ca.pem"
        #expect(ConfigValidator.validate(config).map(\.path) == ["providers.upstream.tls.ca_file"])
        await server.stop()
    }
}
