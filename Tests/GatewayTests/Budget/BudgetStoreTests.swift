import Synchronization
import Testing

@testable import Gateway

/// The budget stores' one semantics, in memory and in a real redis-server: admitted while every counter
/// is below its limit, then the amounts are added; adjustments settle; counters expire after their period.
@Suite("Budget stores")
struct BudgetStoreTests {
    static func check(_ store: any BudgetStore, prefix: String) async throws {
        let far = BudgetEnforcer.unixSeconds() + 86_400
        let usd = BudgetCounter(key: "\(prefix):usd", limit: 100, expiresAt: far)
        let tokens = BudgetCounter(key: "\(prefix):tokens", limit: 1000, expiresAt: far)
        #expect(try await store.totals([usd, tokens]) == [0, 0])
        var admitted = 0
        for _ in 0..<10 where try await store.reserve([usd, tokens], amounts: [30, 10]).allowed { admitted += 1 }
        // 0, 30, 60, 90 are below 100: four are admitted, and the fourth takes the total to 120.
        #expect(admitted == 4)
        let refused = try await store.reserve([usd, tokens], amounts: [30, 10])
        #expect(refused == BudgetDecision(allowed: false, exhausted: 0, totals: [120, 40]))
        #expect(try await store.adjust([usd, tokens], by: [-25, 5]) == [95, 45])
        #expect(try await store.reserve([usd, tokens], amounts: [1, 1000]).totals == [96, 1045])
        let tokenRefusal = try await store.reserve([usd, tokens], amounts: [0, 0])
        #expect(!tokenRefusal.allowed && tokenRefusal.exhausted == 1, "the token counter is the one used up")
        let other = BudgetCounter(key: "\(prefix):other", limit: 100, expiresAt: far)
        #expect(try await store.reserve([other], amounts: [5]).totals == [5], "counters are independent")
    }

    @Test("in memory")
    func memory() async throws {
        try await Self.check(MemoryBudgetStore(), prefix: "m")
    }

    @Test("in Redis, and a counter past its period is gone")
    func redis() async throws {
        let server = try await RedisServer.start(password: "budget-pw")
        defer { server.stop() }
        let client = RateLimitStoreTests.redisStore(server, database: 5).1
        let store = RedisBudgetStore(client: client)
        try await Self.check(store, prefix: "llm-gateway:budget:{r}")
        // The store sets each counter to expire at its period's end (+ a day): a counter whose time is past is gone
        // at once, so a new period starts from 0. (Clock-free: a loaded machine cannot make this race.)
        let past = BudgetCounter(key: "expired", limit: 10, expiresAt: BudgetEnforcer.unixSeconds() - 1)
        #expect(try await store.reserve([past], amounts: [10]).totals == [10])
        #expect(try await store.totals([past]) == [0])
        #expect(try await store.reserve([past], amounts: [1]).allowed)
    }

    @Test("in memory, a counter past its period is forgotten")
    func memoryExpiry() async throws {
        let clock = ManualClock(1000)
        let store = MemoryBudgetStore(now: { clock.now })
        let counter = BudgetCounter(key: "k", limit: 10, expiresAt: 1010)
        #expect(try await store.reserve([counter], amounts: [10]).allowed)
        #expect(try await !store.reserve([counter], amounts: [1]).allowed)
        clock.now = 1010
        #expect(try await store.reserve([counter], amounts: [1]).totals == [1])
    }
}

/// A settable Unix-seconds clock.
final class ManualClock: Sendable {
    private let value: Mutex<Int64>

    init(_ value: Int64) { self.value = Mutex(value) }

    var now: Int64 {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
