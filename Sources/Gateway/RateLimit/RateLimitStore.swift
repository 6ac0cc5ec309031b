/// The limits of one scope (a client key or a provider) over one window.
struct RateLimitRule: Sendable, Equatable {
    /// `key` or `provider`: the `scope` label of the decisions metric.
    var scope: String
    /// The key's name or the provider's name (never a secret).
    var name: String
    var requests: Int?
    var tokens: Int?
    var window: Duration

    /// Where this rule's windows live in the store.
    var storageKey: String { "\(scope):\(name)" }
}

/// What a sliding window said about one request: admitted or not, and where each counter stands after.
struct RateLimitDecision: Sendable, Equatable {
    var allowed: Bool
    var requestsUsed: Int
    /// Until the oldest request in the window leaves it (room frees up then).
    var requestsReset: Duration
    var tokensUsed: Int
    var tokensReset: Duration
}

/// Sliding-window logs of requests and tokens per scope. A request is admitted when both its request and
/// its token reservation fit in the last `window`; otherwise nothing is recorded. Token reservations are
/// estimates, corrected with ``settle(_:id:tokens:)`` once the real usage is known.
///
/// Why a sliding log and not GCRA or fixed windows: it is exact — no window, wherever it starts, ever
/// admits more than the limit (fixed windows admit twice the limit across a boundary; GCRA admits a burst
/// plus the rate), and it settles token estimates against real usage, which a token bucket cannot undo.
/// Its cost is one entry per admitted request per window, pruned as the window slides.
protocol RateLimitStore: Sendable {
    func acquire(_ rule: RateLimitRule, id: String, tokens: Int) async throws -> RateLimitDecision
    /// Replaces the token reservation of `id` with the real count (a no-op once it left the window).
    func settle(_ rule: RateLimitRule, id: String, tokens: Int) async throws
}
