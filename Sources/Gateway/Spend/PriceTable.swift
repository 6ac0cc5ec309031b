/// Finds a deployment's price: the config's entry for the provider's name, then for its type, then the
/// shipped table's for its type (Azure OpenAI deployments also take OpenAI's list price for the same model
/// name). Consulted when routes are built, not per request (only `provider/model` routes resolve per request).
struct PriceTable: Sendable {
    private let configured: [String: [String: ModelPrice]]
    private let defaults: [String: [String: ModelPrice]]

    init(config: PricingConfig) {
        configured = config.prices
        defaults = config.defaults ? DefaultPrices.table : [:]
    }

    func price(provider: String, type: ProviderType, model: String) -> ModelPrice? {
        if let price = configured[provider]?[model] ?? configured[type.rawValue]?[model] ?? defaults[type.rawValue]?[model] {
            return price
        }
        return type == .azureOpenAI ? configured[ProviderType.openai.rawValue]?[model] ?? defaults[ProviderType.openai.rawValue]?[model] : nil
    }
}
