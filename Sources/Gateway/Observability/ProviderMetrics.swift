import Telemetry

/// Handles for one provider's own series: errors by type, rate limits hit, health.
final class ProviderMetrics: Sendable {
    let name: String
    /// `gen_ai.provider.name` of the provider's type.
    let genAIName: String
    /// By ``GatewayError/errorTypeIndex``.
    private let errors: [CounterCell]
    let rateLimitExceeded: LazySeries<CounterCell>
    let health: GaugeCell
    /// `llm_upstream_retries_total{provider}`.
    let retries: LazySeries<CounterCell>
    private let failovers: MetricFamily<CounterCell>
    private let registry: MetricsRegistry

    init(name: String, type: ProviderType, registry: MetricsRegistry) {
        self.name = name
        self.registry = registry
        genAIName = Self.genAIProviderName(type)
        // Error series exist from the start at 0, so rate() and alerts see them before the first failure.
        let family = registry.counter(MetricCatalog.providerErrorsTotal)
        errors = GatewayError.errorTypeLabels.map { family.labels(name, $0) }
        rateLimitExceeded = LazySeries(registry.counter(MetricCatalog.providerRateLimitExceededTotal), name)
        health = registry.gauge(MetricCatalog.providerHealthStatus).labels(name)
        retries = LazySeries(registry.counter(MetricCatalog.upstreamRetriesTotal), name)
        failovers = registry.counter(MetricCatalog.failoversTotal)
        health.set(1)
    }

    func recordFailure(_ error: GatewayError) {
        errors[error.errorTypeIndex].increment()
        if error.status == 429 { rateLimitExceeded.cell.increment() }
    }

    /// Counts a move from this provider to `next` (rare: resolving the pair's series takes the family lock).
    func recordFailover(to next: String) {
        failovers.labels(name, next).increment()
    }

    /// Creates, at 0, the series of a provider the configuration names: rate limits hit and retries.
    func materialize() {
        rateLimitExceeded.materialize()
        retries.materialize()
    }

    /// Creates, at 0, the failover series from this provider to `next` (a pair one model's routes hold).
    func materializeFailover(to next: String) {
        _ = failovers.labels(name, next)
    }

    /// Handles for this provider serving `model` (already bounded to a configured name or `other`).
    func route(model: String) -> RouteMetrics {
        RouteMetrics(provider: self, model: model, registry: registry)
    }

    /// The OpenTelemetry GenAI `gen_ai.provider.name` for a provider type.
    static func genAIProviderName(_ type: ProviderType) -> String {
        switch type {
        case .openai: "openai"
        case .azureOpenAI: "azure.ai.openai"
        case .anthropic: "anthropic"
        case .bedrock: "aws.bedrock"
        case .gemini: "gcp.gemini"
        case .mock: "mock"
        }
    }
}

/// Handles for one provider serving one model: latency, tokens and the GenAI histograms.
final class RouteMetrics: Sendable {
    let provider: ProviderMetrics
    let model: String
    let latency: LazySeries<HistogramCell>
    let inputTokens: LazySeries<CounterCell>
    let outputTokens: LazySeries<CounterCell>
    /// Parts of the input and output counts (`type` cache_read, cache_creation, reasoning).
    let cacheReadTokens: LazySeries<CounterCell>
    let cacheCreationTokens: LazySeries<CounterCell>
    let reasoningTokens: LazySeries<CounterCell>
    let chatDuration: LazySeries<HistogramCell>
    let embeddingsDuration: LazySeries<HistogramCell>
    let chatInputUsage: LazySeries<HistogramCell>
    let chatOutputUsage: LazySeries<HistogramCell>
    let embeddingsInputUsage: LazySeries<HistogramCell>
    let timeToFirstToken: LazySeries<HistogramCell>
    let timePerOutputToken: LazySeries<HistogramCell>
    /// Failed-operation durations by operation, then ``GatewayError/errorTypeIndex``.
    private let failedChat: [LazySeries<HistogramCell>]
    private let failedEmbeddings: [LazySeries<HistogramCell>]

    init(provider: ProviderMetrics, model: String, registry: MetricsRegistry) {
        self.provider = provider
        self.model = model
        let system = provider.genAIName
        latency = LazySeries(registry.histogram(MetricCatalog.providerLatency), provider.name, model)
        let tokens = registry.counter(MetricCatalog.tokensTotal)
        inputTokens = LazySeries(tokens, provider.name, model, "input")
        outputTokens = LazySeries(tokens, provider.name, model, "output")
        cacheReadTokens = LazySeries(tokens, provider.name, model, "cache_read")
        cacheCreationTokens = LazySeries(tokens, provider.name, model, "cache_creation")
        reasoningTokens = LazySeries(tokens, provider.name, model, "reasoning")
        let durations = registry.histogram(MetricCatalog.genAIOperationDuration)
        chatDuration = LazySeries(durations, "chat", system, model, "")
        embeddingsDuration = LazySeries(durations, "embeddings", system, model, "")
        failedChat = GatewayError.errorTypeLabels.map { LazySeries(durations, "chat", system, model, $0) }
        failedEmbeddings = GatewayError.errorTypeLabels.map { LazySeries(durations, "embeddings", system, model, $0) }
        let usage = registry.histogram(MetricCatalog.genAITokenUsage)
        chatInputUsage = LazySeries(usage, "chat", system, model, "input")
        chatOutputUsage = LazySeries(usage, "chat", system, model, "output")
        embeddingsInputUsage = LazySeries(usage, "embeddings", system, model, "input")
        timeToFirstToken = LazySeries(registry.histogram(MetricCatalog.genAITimeToFirstToken), "chat", system, model)
        timePerOutputToken = LazySeries(registry.histogram(MetricCatalog.genAITimePerOutputToken), "chat", system, model)
    }

    /// Creates, at 0, the token counters of a deployment the configuration names.
    func materialize() {
        for series in [inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens, reasoningTokens] { series.materialize() }
    }

    /// One finished upstream attempt.
    func recordAttempt(operation: GenAIOperation, duration: Duration, error: GatewayError?, trace: TraceContext) {
        let exemplar = (trace.traceID, trace.spanID)
        latency.cell.observe(duration, exemplar: exemplar)
        if let error {
            provider.recordFailure(error)
            (operation == .chat ? failedChat : failedEmbeddings)[error.errorTypeIndex].cell.observe(duration)
        } else {
            (operation == .chat ? chatDuration : embeddingsDuration).cell.observe(duration)
        }
    }

    func recordUsage(_ usage: TokenUsage, operation: GenAIOperation) {
        inputTokens.cell.increment(by: UInt64(max(0, usage.promptTokens)))
        outputTokens.cell.increment(by: UInt64(max(0, usage.completionTokens)))
        if usage.cacheReadTokens > 0 { cacheReadTokens.cell.increment(by: UInt64(usage.cacheReadTokens)) }
        if usage.cacheCreationTokens > 0 { cacheCreationTokens.cell.increment(by: UInt64(usage.cacheCreationTokens)) }
        if usage.reasoningTokens > 0 { reasoningTokens.cell.increment(by: UInt64(usage.reasoningTokens)) }
        switch operation {
        case .chat:
            chatInputUsage.cell.observe(Double(usage.promptTokens))
            chatOutputUsage.cell.observe(Double(usage.completionTokens))
        case .embeddings:
            embeddingsInputUsage.cell.observe(Double(usage.promptTokens))
        }
    }

    /// Stream pacing: time to the first chunk, then time per output token after it.
    func recordStreamTiming(firstChunk: Duration, total: Duration, outputTokens: Int?, trace: TraceContext) {
        timeToFirstToken.cell.observe(firstChunk, exemplar: (trace.traceID, trace.spanID))
        if let outputTokens, outputTokens > 1 {
            timePerOutputToken.cell.observe((total - firstChunk).seconds / Double(outputTokens - 1))
        }
    }
}

/// `gen_ai.operation.name` values the gateway performs.
enum GenAIOperation: String, Sendable {
    case chat
    case embeddings
}
