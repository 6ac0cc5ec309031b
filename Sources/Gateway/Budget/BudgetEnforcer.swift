import Logging
import Telemetry

/// Enforces `auth.api_keys[].budget`: before the call, a request reserves its estimate on every counter of
/// its key (refused with 429 `insufficient_quota` while one is used up); after it, the reservation is
/// settled with the real cost and tokens. With Redis every replica enforces the same counters.
/// ``BudgetRefresher`` re-reads the counters every ``refreshInterval``, so `llm_budget_spent_*` follows other
/// replicas' spend and falls to 0 when a period turns over without traffic.
final class BudgetEnforcer: Sendable {
    enum Kind: String, Sendable {
        case usd
        case tokens
    }

    /// One limit of one key, with the gauge of what its current period has spent.
    struct Rule: Sendable {
        let period: BudgetPeriod
        let kind: Kind
        /// Nanodollars or tokens.
        let limit: Int64
        let spent: GaugeCell
    }

    /// What an admitted request reserved, settled once its cost is known.
    struct Reservation: Sendable {
        let client: Int
        let counters: [BudgetCounter]
        let amounts: [Int64]
    }

    static let refreshInterval = Duration.seconds(15)

    private let clients: ClientKeys
    /// By client index; empty for a key without a budget.
    private let rules: [[Rule]]
    private let store: any BudgetStore
    private let failOpen: Bool
    private let rejections: [CounterCell]
    private let failedOpen: CounterCell
    private let failedClosed: CounterCell
    private let now: @Sendable () -> Int64
    private let logger: Logger

    static func unixSeconds() -> Int64 { Int64(WallClock.nowUnixNano() / 1_000_000_000) }

    /// Nil when no key has a budget. Every key's series exist from start-up: spent at 0, the limit set.
    init?(
        config: GatewayConfig,
        store: any BudgetStore,
        registry: MetricsRegistry,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = BudgetEnforcer.unixSeconds
    ) {
        let clients = ClientKeys(auth: config.auth)
        var budgets = Array(repeating: BudgetConfig(), count: clients.names.count)
        for key in config.auth.apiKeys { if let budget = key.budget { budgets[clients.index(of: key.name)] = budget } }
        guard budgets.contains(where: { !$0.isEmpty }) else { return nil }
        let spentUSD = registry.gauge(MetricCatalog.budgetSpentUSD)
        let limitUSD = registry.gauge(MetricCatalog.budgetLimitUSD)
        let spentTokens = registry.gauge(MetricCatalog.budgetSpentTokens)
        let limitTokens = registry.gauge(MetricCatalog.budgetLimitTokens)
        rules = zip(clients.names, budgets).map { name, budget in
            var rules: [Rule] = []
            func add(_ period: BudgetPeriod, _ kind: Kind, _ limit: Int64, display: Double) {
                let labels = [name, period.rawValue]
                (kind == .usd ? limitUSD : limitTokens).labels(labels).set(display)
                rules.append(Rule(period: period, kind: kind, limit: limit, spent: (kind == .usd ? spentUSD : spentTokens).labels(labels)))
            }
            if let usd = budget.usdPerDay { add(.day, .usd, Self.nanodollars(usd), display: usd) }
            if let usd = budget.usdPerMonth { add(.month, .usd, Self.nanodollars(usd), display: usd) }
            if let tokens = budget.tokensPerDay { add(.day, .tokens, Int64(tokens), display: Double(tokens)) }
            return rules
        }
        let rejectionFamily = registry.counter(MetricCatalog.budgetRejectionsTotal)
        rejections = clients.names.map { rejectionFamily.labels($0) }
        let failures = registry.counter(MetricCatalog.budgetStoreFailuresTotal)
        failedOpen = failures.labels("fail_open")
        failedClosed = failures.labels("fail_closed")
        self.clients = clients
        self.store = store
        self.failOpen = config.redis.failOpen
        self.now = now
        self.logger = logger
    }

    private static func nanodollars(_ usd: Double) -> Int64 { Int64((usd * 1e9).rounded()) }

    /// The counters of `client`'s rules in the periods that hold `unixSeconds`.
    func counters(client: Int, at unixSeconds: Int64) -> [BudgetCounter] {
        rules[client].map { rule in
            let window = rule.period.window(at: unixSeconds)
            let key = "llm-gateway:budget:{\(clients.names[client])}:\(rule.kind.rawValue):\(rule.period.rawValue):\(window.name)"
            return BudgetCounter(key: key, limit: rule.limit, expiresAt: window.endsAt + 86_400)
        }
    }

    /// Reserves the request's estimate — `tokens`, and their cost at the highest per-token price among
    /// `routes` (any of them may answer) — or throws 429 `insufficient_quota` when a counter is used up.
    func admit(scope: RequestScope, tokens: Int, routes: [Route]) async throws(GatewayError) {
        let client = scope.clientIndex
        guard scope.client != nil, !rules[client].isEmpty else { return }
        let now = now()
        let counters = counters(client: client, at: now)
        let estimate = Self.costEstimate(tokens: tokens, routes: routes)
        let amounts = rules[client].map { $0.kind == .usd ? estimate : Int64(clamping: tokens) }
        let decision: BudgetDecision
        do {
            decision = try await store.reserve(counters, amounts: amounts)
        } catch {
            (failOpen ? failedOpen : failedClosed).increment()
            logger.warning(
                "budget store unreachable; request \(failOpen ? "admitted" : "refused")",
                metadata: ["client": "\(clients.names[client])", "error": "\(error)"]
            )
            if failOpen { return }
            throw .unavailable("Budgets cannot be checked right now (their store is unreachable); try again shortly.")
        }
        show(decision.totals, client: client)
        if decision.allowed {
            scope.outcome.update { $0.budget = Reservation(client: client, counters: counters, amounts: amounts) }
            return
        }
        rejections[client].increment()
        let rule = rules[client][decision.exhausted ?? 0]
        let endsAt = rule.period.window(at: now).endsAt
        throw .budgetExceeded(message: Self.refusal(rule, endsAt: endsAt), retryAfter: String(max(1, endsAt - now)))
    }

    /// Settles a reservation with what the request really cost and used (nothing for a failed request).
    func settle(_ reservation: Reservation?, cost: Nanodollars?, tokens: Int) {
        guard let reservation else { return }
        let actual = rules[reservation.client].map { $0.kind == .usd ? Int64(clamping: cost?.value ?? 0) : Int64(clamping: tokens) }
        let deltas = zip(actual, reservation.amounts).map { $0.subtractingReportingOverflow($1).partialValue }
        guard deltas.contains(where: { $0 != 0 }) else { return }
        Task {
            if let totals = try? await store.adjust(reservation.counters, by: deltas) { show(totals, client: reservation.client) }
        }
    }

    /// Re-reads every budgeted key's current counters every ``refreshInterval`` until shutdown.
    /// Sets every `llm_budget_spent_*` gauge from the store's counters of the current periods.
    func refresh() async {
        let now = now()
        for client in rules.indices where !rules[client].isEmpty {
            if let totals = try? await store.totals(counters(client: client, at: now)) { show(totals, client: client) }
        }
    }

    private func show(_ totals: [Int64], client: Int) {
        for (rule, total) in zip(rules[client], totals) {
            rule.spent.set(rule.kind == .usd ? Double(max(0, total)) / 1e9 : Double(max(0, total)))
        }
    }

    /// Nanodollars for `tokens` at the highest per-token price of any route, rounded up; 0 when unpriced.
    static func costEstimate(tokens: Int, routes: [Route]) -> Int64 {
        let picodollarsPerToken = routes.compactMap(\.price).map { max($0.input, $0.output, $0.cachedInput, $0.cacheWrite) }.max() ?? 0
        let (product, overflow) = UInt64(max(0, tokens)).multipliedReportingOverflow(by: picodollarsPerToken)
        guard !overflow else { return .max }
        return Int64(clamping: product / 1000 + (product % 1000 == 0 ? 0 : 1))
    }

    private static func refusal(_ rule: Rule, endsAt: Int64) -> String {
        let limit = rule.kind == .usd ? "$" + Nanodollars(UInt64(rule.limit)).decimal : "\(rule.limit) tokens"
        return "This API key's budget of \(limit) per \(rule.period.rawValue) is used up; it resets at \(Self.timestamp(endsAt))."
    }

    /// `2026-12-08T00:00:00Z` for a period's end (always a UTC midnight).
    static func timestamp(_ unixSeconds: Int64) -> String {
        BudgetPeriod.day.window(at: unixSeconds).name + "T00:00:00Z"
    }
}
