import Telemetry
import Testing

@testable import Gateway

@Suite("Stored responses")
struct ResponseStateStoreTests {
    static func value(_ registry: MetricsRegistry, _ result: String) -> Double? {
        MetricsTests.value(
            String(decoding: registry.exposition(format: .prometheusText), as: UTF8.self),
            #"llm_stored_responses_total{result="\#(result)"}"#
        )
    }

    @Test("in memory: per client key, deleted on request, bounded in bytes with what is refused or pushed out counted")
    func memory() async throws {
        var config = ResponsesStoreConfig()
        config.maxSizeMB = 1
        let registry = MetricsRegistry(version: "t", revision: "t")
        let store = ResponseStateStore(config: config, redis: nil, registry: registry)
        let record = ResponseStateStore.Record(response: #"{"id":"resp_1"}"#, conversation: [.init(role: "user", content: .text("hi"))])
        await store.save(record, id: "resp_1", client: "team-a")
        #expect(try await store.load(id: "resp_1", client: "team-a")?.response == record.response)
        #expect(try await store.load(id: "resp_1", client: "team-b") == nil, "another key finds nothing")
        #expect(try await !store.delete(id: "resp_1", client: "team-b"))
        #expect(try await store.delete(id: "resp_1", client: "team-a"))
        #expect(try await store.load(id: "resp_1", client: "team-a") == nil)
        // One entry may take an eighth of the memory: 100 KiB ones fit, and the tenth pushes the oldest out.
        let large = ResponseStateStore.Record(response: String(repeating: "x", count: 100 * 1024), conversation: [])
        for index in 0..<11 { await store.save(large, id: "resp_l\(index)", client: "team-a") }
        #expect(try await store.load(id: "resp_l0", client: "team-a") == nil)
        #expect(try await store.load(id: "resp_l10", client: "team-a") != nil)
        #expect((Self.value(registry, "evicted") ?? 0) >= 1)
        await store.save(
            ResponseStateStore.Record(response: String(repeating: "x", count: 200 * 1024), conversation: []),
            id: "big",
            client: "team-a"
        )
        #expect(Self.value(registry, "too_large") == 1)
        #expect(Self.value(registry, "stored") == 12)
    }
}
