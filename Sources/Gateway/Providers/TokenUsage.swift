/// Token counts of one answer in OpenAI's terms: `promptTokens` is every input token, cached ones included,
/// and `completionTokens` every output token, reasoning included. The breakdowns are parts of those totals,
/// never additions to them, so `input` and `output` stay the totals every provider's answer is counted in.
///
/// On the OpenAI wire the breakdowns are `prompt_tokens_details.cached_tokens` and
/// `completion_tokens_details.reasoning_tokens`; tokens written to a prompt cache have no OpenAI field and
/// are kept for pricing and telemetry only.
public struct TokenUsage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// Input tokens read from the provider's prompt cache.
    public var cacheReadTokens: Int
    /// Input tokens written to the provider's prompt cache (Anthropic and Bedrock report them).
    public var cacheCreationTokens: Int
    /// Output tokens spent on reasoning before the answer.
    public var reasoningTokens: Int

    /// The largest count kept (about a trillion): far above any real answer, and small enough that sums of
    /// counts (rate-limit windows, budgets) cannot overflow.
    public static let maximumCount = 1 << 40

    /// Counts come from upstreams: each is clamped to `0...maximumCount`, and a breakdown to the total it is
    /// part of, before any arithmetic.
    public init(promptTokens: Int, completionTokens: Int, cacheReadTokens: Int = 0, cacheCreationTokens: Int = 0, reasoningTokens: Int = 0) {
        self.promptTokens = Self.clamped(promptTokens)
        self.completionTokens = Self.clamped(completionTokens)
        self.totalTokens = self.promptTokens + self.completionTokens
        self.cacheReadTokens = min(Self.clamped(cacheReadTokens), self.promptTokens)
        self.cacheCreationTokens = min(Self.clamped(cacheCreationTokens), self.promptTokens - self.cacheReadTokens)
        self.reasoningTokens = min(Self.clamped(reasoningTokens), self.completionTokens)
    }

    /// Counts of a provider whose input count leaves out what the prompt cache read and wrote (Anthropic,
    /// Bedrock): the prompt total is the sum of the three.
    static func separatingCache(uncachedInput: Int, cacheRead: Int, cacheCreation: Int, output: Int) -> TokenUsage {
        let read = clamped(cacheRead)
        let creation = clamped(cacheCreation)
        return TokenUsage(
            promptTokens: clamped(uncachedInput) + read + creation,
            completionTokens: output,
            cacheReadTokens: read,
            cacheCreationTokens: creation
        )
    }

    /// Input tokens billed at the plain input price: neither read from nor written to the prompt cache.
    public var uncachedPromptTokens: Int { promptTokens - cacheReadTokens - cacheCreationTokens }

    private static func clamped(_ count: Int) -> Int { min(max(0, count), maximumCount) }

    /// The counts as an upstream reported them (absent ones are 0; a total above the sum is kept).
    init(reportedPrompt prompt: Int?, completion: Int?, total: Int?, cacheRead: Int? = nil, reasoning: Int? = nil) {
        self.init(promptTokens: prompt ?? 0, completionTokens: completion ?? 0, cacheReadTokens: cacheRead ?? 0, reasoningTokens: reasoning ?? 0)
        if let total {
            totalTokens = max(totalTokens, min(total, 2 * Self.maximumCount))
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            reportedPrompt: try container.decodeIfPresent(Int.self, forKey: .promptTokens),
            completion: try container.decodeIfPresent(Int.self, forKey: .completionTokens),
            total: try container.decodeIfPresent(Int.self, forKey: .totalTokens),
            cacheRead: try container.decodeIfPresent(PromptDetails.self, forKey: .promptTokensDetails)?.cachedTokens,
            reasoning: try container.decodeIfPresent(CompletionDetails.self, forKey: .completionTokensDetails)?.reasoningTokens
        )
    }

    /// The OpenAI `usage` object; a breakdown is written only when it is not 0.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
        if cacheReadTokens > 0 { try container.encode(PromptDetails(cachedTokens: cacheReadTokens), forKey: .promptTokensDetails) }
        if reasoningTokens > 0 {
            try container.encode(CompletionDetails(reasoningTokens: reasoningTokens), forKey: .completionTokensDetails)
        }
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
        case completionTokensDetails = "completion_tokens_details"
    }

    /// `prompt_tokens_details`: of its fields only the cache's count is read.
    struct PromptDetails: Codable {
        var cachedTokens: Int?

        enum CodingKeys: String, CodingKey {
            case cachedTokens = "cached_tokens"
        }
    }

    /// `completion_tokens_details`: of its fields only reasoning's count is read.
    struct CompletionDetails: Codable {
        var reasoningTokens: Int?

        enum CodingKeys: String, CodingKey {
            case reasoningTokens = "reasoning_tokens"
        }
    }
}
