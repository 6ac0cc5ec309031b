import Foundation
import HTTPTypes
import HummingbirdCore
import Synchronization
import Testing

@testable import Gateway

@Suite("Routing strategies")
struct RoutingStrategyTests {
    /// Counts which provider served each of `count` requests for `model`, `concurrency` at a time.
    static func servedBy(_ gateway: GatewayHarness, model: String, count: Int, concurrency: Int = 8) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            var providers: [String] = []
            for index in 0..<count {
                if index >= concurrency, let done = try await group.next() { providers.append(done) }
                group.addTask {
                    let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: model))
                    return reply.status == 200 ? reply.headers.first(name: "x-llm-gateway-provider") ?? "?" : "error \(reply.status)"
                }
            }
            for try await done in group { providers.append(done) }
            return providers
        }
    }

    static func mock(_ config: inout GatewayConfig, _ name: String, latencyMs: Int = 0) {
        var provider = ProviderConfig(type: .mock)
        provider.mock.latencyMs = latencyMs
        config.providers[name] = provider
    }

    @Test("weighted routing over 1,000 requests lands within ±5 % of the weights; lower priority groups only fail over")
    func weighted() async throws {
        var config = ConfigLoader.embeddedDefault()
        Self.mock(&config, "mock-a")
        Self.mock(&config, "mock-b")
        Self.mock(&config, "mock-backup")
        config.models["chat"] = ModelRoute(
            strategy: .weighted,
            deployments: [
                ModelDeployment(provider: "mock-a", model: "a", weight: 3),
                ModelDeployment(provider: "mock-b", model: "b", weight: 1),
                ModelDeployment(provider: "mock-backup", model: "c", priority: 1, weight: 100),
            ]
        )
        try await GatewayHarness.with(config) { gateway in
            let served = try await Self.servedBy(gateway, model: "chat", count: 1000)
            let share = Double(served.filter { $0 == "mock-a" }.count) / Double(served.count)
            #expect(abs(share - 0.75) <= 0.05, "mock-a served \(share)")
            #expect(served.allSatisfy { $0 == "mock-a" || $0 == "mock-b" }, "the backup group takes no traffic while the first is healthy")
        }
    }

    @Test("the weighted order puts each deployment first in proportion to its weight")
    func weightedOrder() {
        let plan = RouteTestSupport.plan(strategy: .weighted, weights: [1, 2, 7])
        var firsts: [String: Int] = [:]
        for _ in 0..<20_000 { firsts[plan.order()[0].model, default: 0] += 1 }
        #expect(abs(Double(firsts["d0"] ?? 0) / 20_000 - 0.1) < 0.02)
        #expect(abs(Double(firsts["d2"] ?? 0) / 20_000 - 0.7) < 0.02)
        #expect(plan.order().count == 3, "every deployment stays in the order for failover")
    }

    @Test("least latency keeps sampling a deployment whose estimate is far off, so a passing spike cannot strand it")
    func leastLatencyExplores() {
        let plan = RouteTestSupport.plan(strategy: .leastLatency, weights: [1, 1])
        let routes = plan.order().sorted { $0.model < $1.model }
        routes[0].latency.observe(.seconds(5))  // a cold first answer
        routes[1].latency.observe(.milliseconds(80))
        var firsts = 0
        for _ in 0..<20_000 where plan.order()[0].model == "d0" { firsts += 1 }
        // Weight 0.05 of the fastest's: 1/21 of the orders; by 1/latency² alone it would be 1 in 3,900.
        #expect(abs(Double(firsts) / 20_000 - 1.0 / 21) < 0.01, "the slow one came first in \(firsts) of 20,000")
    }

    @Test("least latency moves traffic off a deployment made slow")
    func leastLatency() async throws {
        let delays = SharedValue<[String: Int]>(["a": 0, "b": 80])
        func upstream(_ name: String) async throws -> TestUpstream {
            try await TestUpstream.start { _, _, writer in
                try await Task.sleep(for: .milliseconds(delays.value[name]!))
                try await OpenAIWire.json(OpenAIWire.completion(model: name, content: "from \(name)"), to: writer)
            }
        }
        let a = try await upstream("a")
        let b = try await upstream("b")
        defer {
            Task {
                await a.stop()
                await b.stop()
            }
        }
        var config = GatewayConfig.withUpstream(a.baseURL)
        config.providers["upstream-b"] = config.providers["upstream"]
        config.providers["upstream-b"]!.baseURL = b.baseURL
        config.models["chat"] = ModelRoute(
            strategy: .leastLatency,
            deployments: [ModelDeployment(provider: "upstream", model: "a"), ModelDeployment(provider: "upstream-b", model: "b")]
        )
        try await GatewayHarness.with(config) { gateway in
            // Warm up: the first answers include connection set-up, which the estimate then has to forget.
            _ = try await Self.servedBy(gateway, model: "chat", count: 60, concurrency: 2)
            let before = try await Self.servedBy(gateway, model: "chat", count: 100, concurrency: 2)
            #expect(
                before.filter { $0 == "upstream" }.count >= 80,
                "the fast deployment takes the traffic: \(before.filter { $0 == "upstream" }.count)"
            )
            delays.value["a"] = 400
            let after = try await Self.servedBy(gateway, model: "chat", count: 100, concurrency: 2)
            let settled = after.suffix(80)
            // Most of it, not all: on a loaded machine the fast deployment's own latency is noisy too (61 of 80 seen).
            #expect(settled.filter { $0 == "upstream-b" }.count >= 56, "traffic moved: \(settled.filter { $0 == "upstream-b" }.count) of 80")
        }
    }
}

/// Builds routes without a running gateway, for the plan's own tests.
enum RouteTestSupport {
    static func plan(strategy: RoutingStrategy, weights: [Double]) -> RoutePlan {
        var config = ConfigLoader.embeddedDefault()
        config.models["chat"] = ModelRoute(
            strategy: strategy,
            deployments: weights.enumerated().map { ModelDeployment(provider: "mock", model: "d\($0.offset)", weight: $0.element) }
        )
        let runtime = GatewayRuntime(config: config, logger: .init(label: "test"))
        return RoutePlan(strategy: strategy, routes: try! runtime.active.current.router.resolve("chat"))
    }
}
