import Yams

extension ConfigDocument {
    /// `pricing:` — `defaults` and `prices` (provider → model → price).
    mutating func readPricing(_ node: Node, into pricing: inout PricingConfig) {
        for (key, value) in reader.mapping(node, at: "pricing", known: ["defaults", "prices"]) ?? [] {
            switch key {
            case "defaults": assign(&pricing.defaults, reader.bool(value, at: "pricing.defaults"))
            default: pricing.prices = readPrices(value, at: "pricing.prices")
            }
        }
    }

    /// A price table: provider key → model → `{input, output, cached_input, cache_write}` in USD per million
    /// tokens. The shipped table (``DefaultPrices``) is read by this too.
    mutating func readPrices(_ node: Node, at path: String) -> [String: [String: ModelPrice]] {
        var table: [String: [String: ModelPrice]] = [:]
        for (provider, models) in reader.mapping(node, at: path) ?? [] {
            for (model, entry) in reader.mapping(models, at: "\(path).\(provider)") ?? [] {
                if let price = readPrice(entry, at: "\(path).\(provider).\(model)") { table[provider, default: [:]][model] = price }
            }
        }
        return table
    }

    private mutating func readPrice(_ node: Node, at path: String) -> ModelPrice? {
        var values: [String: Double] = [:]
        for (key, value) in reader.mapping(node, at: path, known: ["input", "output", "cached_input", "cache_write"]) ?? [] {
            if let number = reader.double(value, at: "\(path).\(key)") { values[key] = number }
        }
        guard let input = values["input"], let output = values["output"] else {
            reader.report(path, "a price needs input and output (USD per million tokens)")
            return nil
        }
        guard
            let price = ModelPrice(
                inputPerMillion: input,
                outputPerMillion: output,
                cachedInputPerMillion: values["cached_input"],
                cacheWritePerMillion: values["cache_write"]
            )
        else {
            reader.report(path, "prices are USD per million tokens, from 0 to \(Int(ModelPrice.maximumPerMillion))")
            return nil
        }
        return price
    }
}

extension ConfigDocument {
    /// `auth.api_keys[].budget` — `usd_per_day`, `usd_per_month`, `tokens_per_day` (any subset).
    mutating func readBudget(_ node: Node, at path: String) -> BudgetConfig? {
        var budget = BudgetConfig()
        for (key, value) in reader.mapping(node, at: path, known: ["usd_per_day", "usd_per_month", "tokens_per_day"]) ?? [] {
            let field = "\(path).\(key)"
            switch key {
            case "usd_per_day", "usd_per_month":
                guard let usd = reader.double(value, at: field) else { continue }
                guard usd >= 0, usd <= BudgetConfig.maximumUSD else {
                    reader.report(field, "must be from 0 to \(Int(BudgetConfig.maximumUSD)) (USD)")
                    continue
                }
                if key == "usd_per_day" { budget.usdPerDay = usd } else { budget.usdPerMonth = usd }
            default:
                guard let tokens = reader.int(value, at: field) else { continue }
                guard tokens >= 0, tokens <= BudgetConfig.maximumTokens else {
                    reader.report(field, "must be from 0 to \(BudgetConfig.maximumTokens)")
                    continue
                }
                budget.tokensPerDay = tokens
            }
        }
        return budget.isEmpty ? nil : budget
    }
}
