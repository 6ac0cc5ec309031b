/// `auth.api_keys[].budget` — what one client key may spend, in any subset of: USD per UTC day, USD per UTC
/// month, tokens per UTC day. Enforced across replicas through Redis when `REDIS_URL` is set.
public struct BudgetConfig: Sendable, Equatable {
    public var usdPerDay: Double?
    public var usdPerMonth: Double?
    public var tokensPerDay: Int?

    /// The largest budget accepted per period: nine million dollars, or nine quadrillion tokens (counts
    /// above 2^53 would lose precision in Redis' Lua numbers).
    public static let maximumUSD = 9_000_000.0
    public static let maximumTokens = 9_000_000_000_000_000

    public init(usdPerDay: Double? = nil, usdPerMonth: Double? = nil, tokensPerDay: Int? = nil) {
        self.usdPerDay = usdPerDay
        self.usdPerMonth = usdPerMonth
        self.tokensPerDay = tokensPerDay
    }

    public var isEmpty: Bool { usdPerDay == nil && usdPerMonth == nil && tokensPerDay == nil }
}
