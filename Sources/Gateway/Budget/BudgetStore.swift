/// One budget counter in its store: a client's spend (nanodollars) or tokens in one period.
struct BudgetCounter: Sendable, Equatable {
    /// `llm-gateway:budget:{client}:usd:day:2026-12-07`: one hash tag per client, so its counters share a
    /// cluster slot and one script can touch them all.
    let key: String
    let limit: Int64
    /// When the store may forget the counter: a day after its period ends.
    let expiresAt: Int64
}

/// What the store said about a reservation.
struct BudgetDecision: Sendable, Equatable {
    var allowed: Bool
    /// The counter at or over its limit when refused.
    var exhausted: Int?
    /// Every counter's total after the decision.
    var totals: [Int64]
}

/// Where budget counters live: Redis for any number of replicas (one script per decision), else memory.
/// A reservation is admitted while every counter is below its limit, and then adds its amounts; so what
/// is admitted can pass a limit by at most the last admitted request's amounts.
protocol BudgetStore: Sendable {
    func reserve(_ counters: [BudgetCounter], amounts: [Int64]) async throws -> BudgetDecision
    /// Adds `deltas` (real amounts minus reserved ones; negative for a refund); returns the totals after.
    func adjust(_ counters: [BudgetCounter], by deltas: [Int64]) async throws -> [Int64]
    /// The totals now (0 for a counter nothing was spent on).
    func totals(_ counters: [BudgetCounter]) async throws -> [Int64]
}
