import Yams

/// The shipped price table: public list prices (standard tier, USD per million tokens) of well-known models,
/// keyed by provider type. `llm-gateway prices` prints it (docs/prices.yaml is that output); a config's
/// `pricing.prices` overrides any entry and `pricing.defaults: false` switches the table off. Long-context
/// surcharges (Gemini above 200k prompt tokens) and batch or regional discounts are not modelled: price
/// such deployments in the config.
public enum DefaultPrices {
    /// The table as YAML, in the format of `pricing.prices`.
    public static let yaml = """
        # llm-gateway's shipped price table: USD per million tokens, public list prices (standard tier).
        # Keys: provider type, then the model name the provider is asked for. cached_input is the price of a
        # prompt-cache read, cache_write of a prompt-cache write (Anthropic: 5-minute cache); both default to
        # input. Override any entry under `pricing.prices` in config.yaml; `pricing.defaults: false` drops it.
        openai:
          gpt-5: {input: 1.25, output: 10.00, cached_input: 0.125}
          gpt-5-mini: {input: 0.25, output: 2.00, cached_input: 0.025}
          gpt-5-nano: {input: 0.05, output: 0.40, cached_input: 0.005}
          gpt-4.1: {input: 2.00, output: 8.00, cached_input: 0.50}
          gpt-4.1-mini: {input: 0.40, output: 1.60, cached_input: 0.10}
          gpt-4.1-nano: {input: 0.10, output: 0.40, cached_input: 0.025}
          gpt-4o: {input: 2.50, output: 10.00, cached_input: 1.25}
          gpt-4o-mini: {input: 0.15, output: 0.60, cached_input: 0.075}
          o3: {input: 2.00, output: 8.00, cached_input: 0.50}
          o4-mini: {input: 1.10, output: 4.40, cached_input: 0.275}
          o3-mini: {input: 1.10, output: 4.40, cached_input: 0.55}
          text-embedding-3-small: {input: 0.02, output: 0}
          text-embedding-3-large: {input: 0.13, output: 0}
        anthropic:
          claude-opus-4-1: {input: 15.00, output: 75.00, cached_input: 1.50, cache_write: 18.75}
          claude-opus-4-1-20250805: {input: 15.00, output: 75.00, cached_input: 1.50, cache_write: 18.75}
          claude-opus-4-20250514: {input: 15.00, output: 75.00, cached_input: 1.50, cache_write: 18.75}
          claude-sonnet-4-5: {input: 3.00, output: 15.00, cached_input: 0.30, cache_write: 3.75}
          claude-sonnet-4-5-20250929: {input: 3.00, output: 15.00, cached_input: 0.30, cache_write: 3.75}
          claude-sonnet-4-20250514: {input: 3.00, output: 15.00, cached_input: 0.30, cache_write: 3.75}
          claude-3-7-sonnet-20250219: {input: 3.00, output: 15.00, cached_input: 0.30, cache_write: 3.75}
          claude-haiku-4-5: {input: 1.00, output: 5.00, cached_input: 0.10, cache_write: 1.25}
          claude-haiku-4-5-20251001: {input: 1.00, output: 5.00, cached_input: 0.10, cache_write: 1.25}
          claude-3-5-haiku-20241022: {input: 0.80, output: 4.00, cached_input: 0.08, cache_write: 1.00}
        gemini:
          gemini-2.5-pro: {input: 1.25, output: 10.00, cached_input: 0.125}
          gemini-2.5-flash: {input: 0.30, output: 2.50, cached_input: 0.03}
          gemini-2.5-flash-lite: {input: 0.10, output: 0.40, cached_input: 0.01}
          gemini-2.0-flash: {input: 0.10, output: 0.40, cached_input: 0.025}
        bedrock:
          anthropic.claude-sonnet-4-5-20250929-v1:0: {input: 3.00, output: 15.00, cached_input: 0.30, cache_write: 3.75}
          anthropic.claude-sonnet-4-20250514-v1:0: {input: 3.00, output: 15.00, cached_input: 0.30, cache_write: 3.75}
          anthropic.claude-3-7-sonnet-20250219-v1:0: {input: 3.00, output: 15.00, cached_input: 0.30, cache_write: 3.75}
          anthropic.claude-3-5-haiku-20241022-v1:0: {input: 0.80, output: 4.00, cached_input: 0.08, cache_write: 1.00}
          amazon.nova-pro-v1:0: {input: 0.80, output: 3.20}
          amazon.nova-lite-v1:0: {input: 0.06, output: 0.24}
          amazon.nova-micro-v1:0: {input: 0.035, output: 0.14}

        """

    /// The table read with the config's own reader, and what that reading found wrong (a test keeps it empty).
    static let parsed: (table: [String: [String: ModelPrice]], problems: [ConfigProblem]) = {
        var document = ConfigDocument(reader: ConfigReader(environment: [:]))
        guard let root = try? Yams.compose(yaml: yaml) else {
            return ([:], [ConfigProblem(path: "", message: "the shipped price table is not YAML")])
        }
        let table = document.readPrices(root, at: "default prices")
        return (table, document.reader.problems)
    }()

    /// Prices by provider type, then model.
    public static var table: [String: [String: ModelPrice]] { parsed.table }
}
