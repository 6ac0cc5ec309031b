import HTTPTypes
import HummingbirdCore
import NIOCore
import Synchronization
import Telemetry
import Testing

@testable import Gateway

/// The pool's waits on the attempt's CLIENT span: an event when a new connection was opened for the attempt or
/// it waited in line at the pool's limit, none when a free connection was at hand.
@Suite("Connection waits on spans")
struct ConnectionWaitSpanTests {
    /// The wait events of the CLIENT spans collected so far: (reason, duration in seconds) per span, in order.
    static func waits(_ spans: SpanCollector) -> [[(reason: String, seconds: Double)]] {
        spans.all.filter { $0.kind == .client }.map { span in
            span.events.filter { $0.name == "llm_gateway.connection_wait" }.map { event in
                var reason = ""
                var seconds = -1.0
                for attribute in event.attributes {
                    if attribute.key == "llm_gateway.connection_wait.reason", case .string(let value) = attribute.value { reason = value }
                    if attribute.key == "llm_gateway.connection_wait.duration", case .double(let value) = attribute.value { seconds = value }
                }
                #expect(event.timeUnixNano >= span.startTimeUnixNano && event.timeUnixNano <= span.endTimeUnixNano)
                return (reason, seconds)
            }
        }
    }

    @Test("the first request's attempt notes the connection opened for it; the next one, reusing it, notes nothing")
    func connected() async throws {
        let upstream = try await FaultyUpstream.healthy()
        let spans = SpanCollector()
        try await GatewayHarness.with(.withUpstream(upstream.baseURL), spans: spans) { gateway in
            for _ in 0..<2 {
                let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-w"))
                #expect(reply.status == 200)
            }
        }
        let waits = Self.waits(spans)
        #expect(waits.count == 2)
        #expect(waits.first?.map(\.reason) == ["connected"])
        #expect((waits.first?.first?.seconds ?? -1) >= 0)
        #expect(waits.last?.isEmpty == true)
        await upstream.stop()
    }

    @Test("at max_connections_per_provider = 1, the second of two requests at once notes how long it waited in line")
    func queued() async throws {
        // Answers once the other request waits in line, and 300 ms later.
        let held = Atomic(true)
        let upstream = try await TestUpstream.start { _, _, writer in
            while held.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(300))
            try await FaultyUpstream.answer(stream: false, text: "slow-ok", to: writer)
        }
        let spans = SpanCollector()
        var config = GatewayConfig.withUpstream(upstream.baseURL)
        config.connectionPool.maxConnectionsPerProvider = 1
        try await GatewayHarness.with(config, spans: spans) { gateway in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-w")).status
                    }
                }
                for _ in 0..<500 {
                    let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
                    if MetricsTests.value(scrape, #"llm_upstream_connection_waiters{provider="upstream"}"#) == 1 { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                held.store(false, ordering: .relaxed)
                for try await status in group { #expect(status == 200) }
            }
        }
        let waits = Self.waits(spans).map { $0.map(\.reason) }.sorted { $0.joined() < $1.joined() }
        #expect(waits == [["connected"], ["queued"]])
        let queued = Self.waits(spans).flatMap { $0 }.first { $0.reason == "queued" }
        // It waited for the other request's answer, which took at least 300 ms.
        #expect((queued?.seconds ?? 0) >= 0.25)
        await upstream.stop()
    }
}
