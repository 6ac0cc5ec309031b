import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Telemetry
import Testing

@testable import Gateway

/// The pool's sweep: which free connections it closes, and which it must leave for the next requests.
@Suite("Upstream pool sweep")
struct ConnectionPoolSweepTests {
    @Test("a sweep closes the surplus over max_idle_per_host only among connections free since before the previous sweep")
    func calmSurplus() async throws {
        // Answers only once all four requests below hold a connection each.
        let held = Atomic(true)
        let upstream = try await TestUpstream.start { _, _, writer in
            while held.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
            let headers: HTTPFields = [.contentType: "text/plain", .contentLength: "2"]
            try await writer.write(response: HTTPResponse(status: .ok, headerFields: headers), body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        let registry = MetricsRegistry(version: "t", revision: "t")
        guard let (origin, target) = UpstreamOrigin.split(upstream.baseURL + "/v1/x") else { throw CancellationError() }
        let settings = ConnectionPool.Settings(
            maxConnections: 8,
            maxIdle: 1,
            idleTimeout: .seconds(90),
            connectTimeout: .seconds(2),
            calm: .seconds(10)
        )
        let pool = ConnectionPool(
            origin: origin,
            settings: settings,
            group: MultiThreadedEventLoopGroup.singleton,
            tls: nil,
            metrics: ConnectionPoolMetrics(provider: "p", registry: registry),
            logger: Logger(label: "test")
        )
        let idle: @Sendable () -> Double = { PooledTransportTests.metric(registry, #"llm_upstream_connections{provider="p",state="idle"}"#) }
        // Four requests at once: four connections, all free again afterwards.
        let inUse: @Sendable () -> Double = { PooledTransportTests.metric(registry, #"llm_upstream_connections{provider="p",state="in_use"}"#) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let now = NIODeadline.now()
                    let exchange = PooledExchange(
                        head: HTTPRequestHead(
                            version: .http1_1,
                            method: .POST,
                            uri: target,
                            headers: ["host": origin.hostHeader, "content-length": "0"]
                        ),
                        body: ByteBuffer(),
                        limits: .init(firstByteDeadline: now + .seconds(30), totalDeadline: now + .seconds(30), idle: .seconds(30))
                    )
                    let response = try await pool.execute(exchange)
                    _ = try await response.body.collect(upTo: 1024)
                }
            }
            try await PooledTransportTests.eventually { inUse() == 4 }
            held.store(false, ordering: .relaxed)
            try await group.waitForAll()
        }
        #expect(PooledTransportTests.metric(registry, #"llm_upstream_connections_opened_total{provider="p"}"#) == 4)
        #expect(idle() == 4)
        // Just freed: between two requests as far as the sweep can tell. None is surplus yet.
        pool.closeExpired(now: .now())
        #expect(idle() == 4)
        // Free for a whole sweep period: three of them are the surplus over max_idle_per_host = 1.
        pool.closeExpired(now: .now() + .seconds(11))
        #expect(idle() == 1)
        // Past the idle timeout, the last one goes too.
        pool.closeExpired(now: .now() + .seconds(91))
        #expect(idle() == 0)
        pool.close()
        await upstream.stop()
    }
}
