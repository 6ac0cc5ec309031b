import Foundation
import Testing

@testable import Gateway

/// Budgets through real gateways: the mock provider at the embedded default's prices ($1 input, $4 output per
/// million tokens). A request of `body` uses 6 prompt and 16 completion tokens: 6 + 64 = $70 per million, so
/// 70,000 nanodollars; its estimate is 22 tokens at the highest price, 88,000.
@Suite("Budgets through the gateway")
struct BudgetGatewayTests {
    static let body = GatewayHarness.chatBody(model: "mock-gpt", extra: #","max_tokens":16"#)
    static let cost = 0.00007

    static func config(_ budget: BudgetConfig, redis: String? = nil, failOpen: Bool = true) -> GatewayConfig {
        var config = ConfigLoader.embeddedDefault()
        config.auth = AuthConfig(apiKeys: [
            ClientKey(name: "capped", key: "sk-capped", budget: budget), ClientKey(name: "free", key: "sk-free"),
        ])
        config.redisURL = redis
        config.redis.failOpen = failOpen
        config.redis.commandTimeout = .milliseconds(300)
        return config
    }

    static func chat(_ gateway: GatewayHarness, key: String = "sk-capped", body: String = body) async throws -> GatewayHarness.Reply {
        try await gateway.post("/v1/chat/completions", json: body, headers: [("authorization", "Bearer \(key)")])
    }

    static func metric(_ gateway: GatewayHarness, _ series: String) async throws -> Double? {
        MetricsTests.value(try await gateway.get("/metrics", port: gateway.metricsPort).body, series)
    }

    @Test("over budget: 429 insufficient_quota until the period's end; spent, limit and refusals in the metrics from start-up")
    func refusal() async throws {
        try await GatewayHarness.with(Self.config(BudgetConfig(usdPerDay: 0.0003, tokensPerDay: 1_000_000))) { gateway in
            #expect(try await Self.metric(gateway, #"llm_budget_spent_usd{client="capped",period="day"}"#) == 0)
            #expect(try await Self.metric(gateway, #"llm_budget_limit_usd{client="capped",period="day"}"#) == 0.0003)
            #expect(try await Self.metric(gateway, #"llm_budget_limit_tokens{client="capped",period="day"}"#) == 1_000_000)
            #expect(try await Self.metric(gateway, #"llm_budget_rejections_total{client="capped"}"#) == 0)
            var admitted = 0
            var refused: GatewayHarness.Reply?
            while refused == nil && admitted < 20 {
                let reply = try await Self.chat(gateway)
                if reply.status == 200 { admitted += 1 } else { refused = reply }
            }
            let reply = try #require(refused)
            #expect(reply.status == 429)
            #expect(reply.error["type"] as? String == "insufficient_quota" && reply.error["code"] as? String == "insufficient_quota")
            let resets = BudgetEnforcer.timestamp(BudgetPeriod.day.window(at: BudgetEnforcer.unixSeconds()).endsAt)
            #expect((reply.error["message"] as? String)?.contains("budget of $0.0003 per day is used up; it resets at \(resets)") == true)
            let wait = Int(reply.headers.first(name: "retry-after") ?? "") ?? 0
            #expect(wait >= 1 && wait <= 86_400)
            // Admitted while below $0.0003: at most one request past it, and 4 or 5 depending on settlement.
            #expect(admitted >= 4 && Double(admitted - 1) * Self.cost < 0.0003)
            try await HealthCheckTests.waitUntil(.seconds(5)) {
                let spent = try await Self.metric(gateway, #"llm_budget_spent_usd{client="capped",period="day"}"#) ?? 0
                return abs(spent - Double(admitted) * Self.cost) < 1e-12
            }
            #expect(try await Self.metric(gateway, #"llm_budget_spent_tokens{client="capped",period="day"}"#) == Double(admitted * 22))
            #expect(try await Self.metric(gateway, #"llm_budget_rejections_total{client="capped"}"#) == 1)
            #expect(try await Self.chat(gateway, key: "sk-free").status == 200, "another key has its own budget (none)")
        }
    }

    @Test("a token budget refuses once the day's tokens are used up")
    func tokens() async throws {
        try await GatewayHarness.with(Self.config(BudgetConfig(tokensPerDay: 50))) { gateway in
            var statuses: [Int] = []
            for _ in 0..<4 {
                statuses.append(try await Self.chat(gateway).status)
                try await Task.sleep(for: .milliseconds(50))  // each reservation (22) settles to 22 either way
            }
            #expect(statuses == [200, 200, 200, 429], "0, 22, 44 are below 50; 66 is not")
        }
    }

    @Test("two replicas on one Redis, 24 concurrent clients: admitted spend passes the budget by at most one request")
    func replicas() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let budget = 0.002  // 28.6 requests' worth
        let config = Self.config(BudgetConfig(usdPerDay: budget), redis: server.url(database: 6))
        let admitted = try await GatewayHarness.with(config) { a in
            try await GatewayHarness.with(config) { b in
                let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                    for client in 0..<24 {
                        group.addTask {
                            var mine = 0
                            for attempt in 0... {
                                let status = try await Self.chat((client + attempt) % 2 == 0 ? a : b).status
                                guard status == 200 else { return mine }
                                mine += 1
                            }
                            return mine
                        }
                    }
                    return try await group.reduce(0, +)
                }
                try await Task.sleep(for: .milliseconds(300))  // the last settlements
                var billed = 0.0
                for replica in [a, b] {
                    billed += try await Self.metric(replica, #"llm_cost_usd_total{provider="mock",model="mock-gpt",client="capped"}"#) ?? 0
                }
                #expect(abs(billed - Double(counts) * Self.cost) < 1e-12, "what the replicas billed is what they admitted")
                return counts
            }
        }
        let spent = Double(admitted) * Self.cost
        #expect(spent >= budget - 24 * 0.000088, "refusals start only near the budget")
        #expect(spent < budget + Self.cost, "admitted \(admitted) requests: $\(spent) of $\(budget)")
    }

    @Test("Redis down: fail open admits and counts; fail closed answers 503 and counts")
    func outage() async throws {
        let server = try await RedisServer.start()
        let url = server.url(database: 7)
        server.stop()
        for failOpen in [true, false] {
            try await GatewayHarness.with(Self.config(BudgetConfig(usdPerDay: 1), redis: url, failOpen: failOpen)) { gateway in
                let reply = try await Self.chat(gateway)
                #expect(reply.status == (failOpen ? 200 : 503))
                let result = failOpen ? "fail_open" : "fail_closed"
                #expect(try await Self.metric(gateway, #"llm_budget_store_failures_total{result="\#(result)"}"#) == 1)
            }
        }
    }
}
