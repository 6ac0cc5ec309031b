import Synchronization
import Telemetry

/// Budget counters in this process (no `REDIS_URL`): the same decisions as ``RedisBudgetStore``, for one
/// replica. Counters past their expiry are dropped on the next reservation.
final class MemoryBudgetStore: BudgetStore {
    private struct Entry {
        var total: Int64
        var expiresAt: Int64
    }

    private let counters = Mutex<[String: Entry]>([:])
    /// Unix seconds now (tests move it).
    private let now: @Sendable () -> Int64

    init(now: @escaping @Sendable () -> Int64 = BudgetEnforcer.unixSeconds) {
        self.now = now
    }

    func reserve(_ budget: [BudgetCounter], amounts: [Int64]) async throws -> BudgetDecision {
        let now = now()
        return counters.withLock { counters in
            counters = counters.filter { $0.value.expiresAt > now }
            let totals = budget.map { counters[$0.key]?.total ?? 0 }
            if let exhausted = budget.indices.first(where: { totals[$0] >= budget[$0].limit }) {
                return BudgetDecision(allowed: false, exhausted: exhausted, totals: totals)
            }
            return BudgetDecision(allowed: true, exhausted: nil, totals: Self.add(amounts, to: budget, in: &counters))
        }
    }

    func adjust(_ budget: [BudgetCounter], by deltas: [Int64]) async throws -> [Int64] {
        counters.withLock { Self.add(deltas, to: budget, in: &$0) }
    }

    func totals(_ budget: [BudgetCounter]) async throws -> [Int64] {
        counters.withLock { counters in budget.map { counters[$0.key]?.total ?? 0 } }
    }

    private static func add(_ amounts: [Int64], to budget: [BudgetCounter], in counters: inout [String: Entry]) -> [Int64] {
        zip(budget, amounts).map { counter, amount in
            var entry = counters[counter.key] ?? Entry(total: 0, expiresAt: counter.expiresAt)
            entry.total = entry.total.addingReportingOverflow(amount).overflow ? (amount > 0 ? .max : .min) : entry.total + amount
            entry.expiresAt = counter.expiresAt
            counters[counter.key] = entry
            return entry.total
        }
    }
}
