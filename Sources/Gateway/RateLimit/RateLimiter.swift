import HTTPTypes
import Logging
import Telemetry

/// Admits requests against the configured limits — each client key's (`auth.api_keys[].rate_limit`) before
/// routing, each provider's (`providers.<name>.rate_limit`) per deployment — and settles token reservations
/// with real usage afterwards. When the store (Redis) does not answer, requests go through (`fail_open`, the
/// default) or are refused with 503, and the decision is counted either way.
final class RateLimiter: Sendable {
    /// The outcome of one admission, and what the `x-ratelimit-*` headers say about it.
    struct Verdict: Sendable {
        var allowed: Bool
        var rule: RateLimitRule
        /// Nil when the store did not answer.
        var decision: RateLimitDecision?

        /// The `result` label of the decision: allowed, rejected, fail_open or fail_closed.
        var result: String {
            guard decision != nil else { return allowed ? "fail_open" : "fail_closed" }
            return allowed ? "allowed" : "rejected"
        }

        /// The wait before a retry can succeed: until the exhausted counter's oldest entry leaves the window.
        var retryAfterSeconds: Int {
            guard let decision else { return 1 }
            let requestsFull = rule.requests.map { decision.requestsUsed + 1 > $0 } ?? false
            let wait = requestsFull ? decision.requestsReset : max(decision.tokensReset, .zero)
            return max(1, Int((wait / .seconds(1)).rounded(.up)))
        }

        /// OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`.
        var headers: HTTPFields {
            var fields = HTTPFields()
            guard let decision else { return fields }
            func add(_ kind: String, limit: Int?, used: Int, reset: Duration) {
                guard let limit else { return }
                fields[HTTPField.Name("x-ratelimit-limit-\(kind)")!] = String(limit)
                fields[HTTPField.Name("x-ratelimit-remaining-\(kind)")!] = String(max(0, limit - used))
                fields[HTTPField.Name("x-ratelimit-reset-\(kind)")!] = Self.format(reset)
            }
            add("requests", limit: rule.requests, used: decision.requestsUsed, reset: decision.requestsReset)
            add("tokens", limit: rule.tokens, used: decision.tokensUsed, reset: decision.tokensReset)
            return fields
        }

        /// A duration as OpenAI writes it in reset headers (`1s`, `250ms`).
        static func format(_ duration: Duration) -> String {
            let milliseconds = max(0, duration.nanosecondsClamped / 1_000_000)
            return milliseconds < 1000 ? "\(milliseconds)ms" : "\(Double(milliseconds) / 1000)s"
        }
    }

    let store: any RateLimitStore
    let failOpen: Bool
    private let keyRules: [String: RateLimitRule]
    private let providerRules: [String: RateLimitRule]
    /// By scope, then result.
    private let decisions: [String: [String: CounterCell]]
    private let logger: Logger

    init(config: GatewayConfig, store: any RateLimitStore, registry: MetricsRegistry, logger: Logger) {
        self.store = store
        self.failOpen = config.redis.failOpen
        func rule(_ scope: String, _ name: String, _ limit: RateLimitConfig?) -> RateLimitRule? {
            guard let limit, limit.requestsPerMinute != nil || limit.tokensPerMinute != nil else { return nil }
            return RateLimitRule(scope: scope, name: name, requests: limit.requestsPerMinute, tokens: limit.tokensPerMinute, window: limit.window)
        }
        var keyRules: [String: RateLimitRule] = [:]
        for key in config.auth.apiKeys { keyRules[key.name] = rule("key", key.name, key.rateLimit) }
        var providerRules: [String: RateLimitRule] = [:]
        for (name, provider) in config.providers { providerRules[name] = rule("provider", name, provider.rateLimit) }
        self.keyRules = keyRules
        self.providerRules = providerRules
        let family = registry.counter(MetricCatalog.rateLimitDecisionsTotal)
        decisions = Dictionary(
            uniqueKeysWithValues: ["key", "provider"].map { scope in
                (scope, Dictionary(uniqueKeysWithValues: ["allowed", "rejected", "fail_open", "fail_closed"].map { ($0, family.labels(scope, $0)) }))
            }
        )
        self.logger = logger
    }

    var isEmpty: Bool { keyRules.isEmpty && providerRules.isEmpty }

    func rule(forKey name: String?) -> RateLimitRule? { name.flatMap { keyRules[$0] } }
    func rule(forProvider name: String) -> RateLimitRule? { providerRules[name] }

    /// Asks the store; an unreachable store admits or refuses as `fail_open` says.
    func admit(_ rule: RateLimitRule, id: String, tokens: Int) async -> Verdict {
        do {
            let decision = try await store.acquire(rule, id: id, tokens: tokens)
            let verdict = Verdict(allowed: decision.allowed, rule: rule, decision: decision)
            decisions[rule.scope]?[verdict.result]?.increment()
            return verdict
        } catch {
            decisions[rule.scope]?[Verdict(allowed: failOpen, rule: rule).result]?.increment()
            logger.warning(
                "rate-limit store unreachable; request \(failOpen ? "admitted" : "refused")",
                metadata: ["scope": "\(rule.scope)", "error": "\(error)"]
            )
            return Verdict(allowed: failOpen, rule: rule, decision: nil)
        }
    }

    /// Admits a request under its client key's limit (when the key has one); throws the refusal otherwise.
    func admitClient(scope: RequestScope, tokens: Int) async throws(GatewayError) {
        guard let rule = rule(forKey: scope.clientName) else { return }
        let id = scope.trace.spanID.description
        let verdict = await admit(rule, id: id, tokens: tokens)
        scope.outcome.update {
            $0.rateLimit = verdict
            if verdict.allowed { $0.reservations.append(Reservation(rule: rule, id: id)) }
        }
        guard verdict.allowed else { throw refusal(verdict) }
    }

    /// Admits a request to a provider under that provider's limit (when it has one); returns the refused
    /// verdict, or nil when the request may go.
    func admitProvider(_ provider: String, scope: RequestScope, tokens: Int) async -> Verdict? {
        guard let rule = rule(forProvider: provider) else { return nil }
        let id = "\(scope.trace.spanID)-\(provider)"
        let verdict = await admit(rule, id: id, tokens: tokens)
        scope.outcome.update {
            if $0.rateLimit == nil || $0.rateLimit?.rule.scope == "provider" { $0.rateLimit = verdict }
            if verdict.allowed { $0.reservations.append(Reservation(rule: rule, id: id)) }
        }
        return verdict.allowed ? nil : verdict
    }

    /// The error a refused verdict answers with.
    func refusal(_ verdict: Verdict) -> GatewayError {
        guard verdict.decision != nil else {
            return .unavailable("Rate limits cannot be checked right now (their store is unreachable); try again shortly.")
        }
        let subject = verdict.rule.scope == "key" ? "this API key" : "provider \(verdict.rule.name)"
        return .rateLimited(
            message: "Rate limit reached for \(subject); retry after \(verdict.retryAfterSeconds) s.",
            retryAfter: String(verdict.retryAfterSeconds)
        )
    }

    /// Replaces token reservations with the real count, off the request's path.
    func settle(_ reservations: [Reservation], tokens: Int) {
        guard !reservations.isEmpty else { return }
        let store = self.store
        Task {
            for reservation in reservations where reservation.rule.tokens != nil {
                try? await store.settle(reservation.rule, id: reservation.id, tokens: tokens)
            }
        }
    }

    /// A request admitted under `rule`, remembered until its usage is known.
    struct Reservation: Sendable {
        var rule: RateLimitRule
        var id: String
    }
}
