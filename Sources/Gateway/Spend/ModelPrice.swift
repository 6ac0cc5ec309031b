/// What one model's tokens cost, in USD per million tokens as price lists give them, held as exact integer
/// picodollars per token (a price with up to six decimals per million is exact) so that a request's cost is
/// integer arithmetic that saturates instead of rounding or overflowing.
public struct ModelPrice: Sendable, Equatable {
    /// Picodollars per plain input token.
    public let input: UInt64
    /// Picodollars per output token (reasoning included: providers bill it as output).
    public let output: UInt64
    /// Picodollars per input token read from the prompt cache.
    public let cachedInput: UInt64
    /// Picodollars per input token written to the prompt cache.
    public let cacheWrite: UInt64

    /// The largest price accepted: $1,000,000 per million tokens, far above any list price.
    public static let maximumPerMillion = 1_000_000.0

    /// Prices in USD per million tokens; the cache's prices default to the input price. Nil when a price is
    /// negative, not finite or above ``maximumPerMillion``.
    public init?(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil, cacheWritePerMillion: Double? = nil) {
        guard let input = Self.picodollars(inputPerMillion), let output = Self.picodollars(outputPerMillion),
            let cached = Self.picodollars(cachedInputPerMillion ?? inputPerMillion),
            let write = Self.picodollars(cacheWritePerMillion ?? inputPerMillion)
        else { return nil }
        self.input = input
        self.output = output
        self.cachedInput = cached
        self.cacheWrite = write
    }

    /// USD per million tokens → picodollars per token (`1e-12 USD`), rounded to the nearest.
    private static func picodollars(_ perMillion: Double) -> UInt64? {
        guard perMillion.isFinite, perMillion >= 0, perMillion <= maximumPerMillion else { return nil }
        return UInt64((perMillion * 1_000_000).rounded())
    }

    /// The cost of `usage` in nanodollars (`1e-9 USD`, what `llm_cost_usd_total` counts in): plain input,
    /// cache reads and writes each at their own price, output (reasoning included) at the output price.
    public func cost(of usage: TokenUsage) -> Nanodollars {
        var picodollars: UInt64 = 0
        var overflowed = false
        func add(_ tokens: Int, at price: UInt64) {
            let (product, overflow) = UInt64(max(0, tokens)).multipliedReportingOverflow(by: price)
            let (sum, carried) = picodollars.addingReportingOverflow(product)
            overflowed = overflowed || overflow || carried
            picodollars = sum
        }
        add(usage.uncachedPromptTokens, at: input)
        add(usage.cacheReadTokens, at: cachedInput)
        add(usage.cacheCreationTokens, at: cacheWrite)
        add(usage.completionTokens, at: output)
        if overflowed { return Nanodollars(.max) }
        // Half a nanodollar and up rounds up, so a priced request never counts as free.
        return Nanodollars((picodollars / 1000) + (picodollars % 1000 >= 500 ? 1 : 0))
    }
}
