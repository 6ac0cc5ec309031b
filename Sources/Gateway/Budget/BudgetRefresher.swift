import ServiceLifecycle

/// Re-reads the budget counters of the running configuration every ``BudgetEnforcer/refreshInterval`` until
/// shutdown (see ``BudgetEnforcer/refresh()``); idle while no client key has a budget.
struct BudgetRefresher: Service {
    /// The running configuration's enforcer; nil while no key has a budget.
    let current: @Sendable () -> BudgetEnforcer?

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await current()?.refresh()
                try? await Task.sleep(for: BudgetEnforcer.refreshInterval)
            }
        }
    }
}
