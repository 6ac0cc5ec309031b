import Testing
import Yams

@testable import Gateway

/// Prices and what a request costs at them: exact arithmetic, the lookup order, and the shipped table.
@Suite("Pricing")
struct PricingTests {
    static func price(_ input: Double, _ output: Double, cached: Double? = nil, write: Double? = nil) -> ModelPrice {
        ModelPrice(inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: cached, cacheWritePerMillion: write)!
    }

    @Test("cost is plain input, cache reads, cache writes and output (reasoning included), each at its own price")
    func cost() {
        let price = Self.price(3, 15, cached: 0.3, write: 3.75)
        // 1,000 plain input, 2,000 read, 400 written, 500 output of which 200 reasoning — by hand, in USD:
        // (1,000 × 3 + 2,000 × 0.3 + 400 × 3.75 + 500 × 15) / 1e6 = (3,000 + 600 + 1,500 + 7,500) / 1e6 = 0.0126.
        let usage = TokenUsage(promptTokens: 3400, completionTokens: 500, cacheReadTokens: 2000, cacheCreationTokens: 400, reasoningTokens: 200)
        #expect(price.cost(of: usage) == Nanodollars(12_600_000))
        #expect(price.cost(of: usage).decimal == "0.0126")
        // Cache prices default to the input price: $2.50 per million is 2,500 nanodollars a token.
        let plain = Self.price(2.5, 10)
        #expect(plain.cost(of: usage) == Nanodollars(3400 * 2_500 + 500 * 10_000))
        // Six decimals per million are exact: $0.000001 per million is one picodollar a token.
        #expect(Self.price(0.000001, 0).cost(of: TokenUsage(promptTokens: 1_000_000, completionTokens: 0)) == Nanodollars(1000))
        // Half a nanodollar rounds up, less rounds down: one token at $0.0005 per million is 500 picodollars.
        #expect(Self.price(0.0005, 0).cost(of: TokenUsage(promptTokens: 1, completionTokens: 0)) == Nanodollars(1))
        #expect(Self.price(0.000499, 0).cost(of: TokenUsage(promptTokens: 1, completionTokens: 0)) == Nanodollars(0))
    }

    @Test("counts at their limit and the highest price saturate instead of overflowing")
    func saturation() {
        let usage = TokenUsage(promptTokens: .max, completionTokens: .max, cacheReadTokens: .max, reasoningTokens: .max)
        #expect(Self.price(ModelPrice.maximumPerMillion, ModelPrice.maximumPerMillion).cost(of: usage) == Nanodollars(.max))
        #expect(ModelPrice(inputPerMillion: -1, outputPerMillion: 1) == nil)
        #expect(ModelPrice(inputPerMillion: 1, outputPerMillion: .infinity) == nil)
        #expect(ModelPrice(inputPerMillion: 1, outputPerMillion: 1, cachedInputPerMillion: 2_000_000) == nil)
    }

    @Test("amounts print as exact decimals without trailing zeros")
    func decimals() {
        #expect(Nanodollars(0).decimal == "0")
        #expect(Nanodollars(1).decimal == "0.000000001")
        #expect(Nanodollars(80_000).decimal == "0.00008")
        #expect(Nanodollars(12_000_000_000).decimal == "12")
        #expect(Nanodollars(.max).decimal == "18446744073.709551615")
    }

    @Test("a deployment's price: the provider's name, then its type, then the shipped table; Azure falls back to OpenAI's")
    func lookup() throws {
        let byName = Self.price(1, 1)
        let byType = Self.price(2, 2)
        let table = PriceTable(config: PricingConfig(prices: ["primary": ["gpt-4o": byName], "openai": ["gpt-4o": byType, "mine": byType]]))
        #expect(table.price(provider: "primary", type: .openai, model: "gpt-4o") == byName)
        #expect(table.price(provider: "secondary", type: .openai, model: "gpt-4o") == byType)
        let shipped = try #require(DefaultPrices.table["openai"]?["gpt-4o-mini"])
        #expect(table.price(provider: "secondary", type: .openai, model: "gpt-4o-mini") == shipped)
        #expect(table.price(provider: "azure", type: .azureOpenAI, model: "mine") == byType)
        #expect(table.price(provider: "azure", type: .azureOpenAI, model: "gpt-4o-mini") == shipped)
        #expect(table.price(provider: "claude", type: .anthropic, model: "gpt-4o-mini") == nil)
        let off = PriceTable(config: PricingConfig(defaults: false))
        #expect(off.price(provider: "secondary", type: .openai, model: "gpt-4o-mini") == nil)
    }

    @Test("the shipped table reads without a problem and prices every provider type that has public prices")
    func shipped() {
        #expect(DefaultPrices.parsed.problems.isEmpty, "\(DefaultPrices.parsed.problems)")
        #expect(Set(DefaultPrices.table.keys) == ["openai", "anthropic", "gemini", "bedrock"])
        #expect(DefaultPrices.table["bedrock"]?["amazon.nova-micro-v1:0"] == Self.price(0.035, 0.14))
        #expect(DefaultPrices.table["anthropic"]?["claude-sonnet-4-5"] == Self.price(3, 15, cached: 0.3, write: 3.75))
    }

    @Test("pricing: in config.yaml is read, and its mistakes are reported with their paths")
    func config() throws {
        let yaml = """
            pricing:
              defaults: false
              prices:
                local:
                  llama: {input: 0, output: 0}
                  broken: {input: 1}
                  negative: {input: -1, output: 1}
                  typo: {input: 1, output: 1, cached: 1}
            """
        var document = ConfigDocument(reader: ConfigReader(environment: [:]))
        let config = document.read(try #require(try Yams.compose(yaml: yaml)))
        #expect(config.pricing.defaults == false)
        #expect(config.pricing.prices["local"]?["llama"] == Self.price(0, 0))
        #expect(
            Set(document.reader.problems.map(\.path)) == [
                "pricing.prices.local.broken", "pricing.prices.local.negative", "pricing.prices.local.typo.cached",
            ]
        )
    }
}
