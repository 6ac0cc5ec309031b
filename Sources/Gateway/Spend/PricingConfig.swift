/// `pricing:` — prices per provider and model, over the shipped table (``DefaultPrices``) unless it is
/// switched off:
///
/// ```yaml
/// pricing:
///   defaults: true          # the shipped table prices what this config does not
///   prices:
///     openai:               # a configured provider's name, or a provider type (every provider of it)
///       gpt-4o: {input: 2.50, output: 10.00, cached_input: 1.25}   # USD per million tokens
///     local-vllm:
///       llama-3-8b: {input: 0, output: 0}                            # free, not unpriced
/// ```
public struct PricingConfig: Sendable, Equatable {
    /// Whether the shipped table prices the models this configuration does not.
    public var defaults = true
    /// Prices by provider key (a provider's name, or a provider type), then model name.
    public var prices: [String: [String: ModelPrice]] = [:]

    public init(defaults: Bool = true, prices: [String: [String: ModelPrice]] = [:]) {
        self.defaults = defaults
        self.prices = prices
    }
}
