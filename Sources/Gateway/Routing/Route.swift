import Telemetry

/// One place a request can go: an adapter, the model name to ask it for, and the handles its
/// outcome is recorded through (resolved when the router was built).
public final class Route: Sendable {
    public let provider: any ChatProvider
    public let model: String
    public let health: ProviderHealth
    let metrics: RouteMetrics
    /// This deployment's price (nil: unpriced) and where its spend is counted.
    let price: ModelPrice?
    let spend: SpendRecorder
    /// The provider's `max_retries`: attempts on this deployment beyond the first.
    let maxRetries: Int
    /// This deployment's breaker (shared by every route to the same provider and model label).
    let breaker: CircuitBreaker
    /// Recent latency of this deployment, for `least_latency` routing.
    let latency: LatencyEstimate
    /// The provider's connect, first-byte, idle and total limits.
    let timeouts: UpstreamTimeouts
    /// Group (lower first) and share within it, from the model's `models:` entry.
    let priority: Int
    let weight: Double
    /// The names of this route's attempt spans (`{gen_ai.operation.name} {gen_ai.request.model}`), made once.
    let chatSpanName: String
    let embeddingsSpanName: String

    /// A class, built once per deployment at start-up: requests pass routes around by reference.
    init(
        provider: any ChatProvider,
        model: String,
        health: ProviderHealth,
        metrics: RouteMetrics,
        price: ModelPrice? = nil,
        spend: SpendRecorder,
        maxRetries: Int,
        breaker: CircuitBreaker,
        latency: LatencyEstimate,
        timeouts: UpstreamTimeouts,
        priority: Int = 0,
        weight: Double = 1
    ) {
        self.provider = provider
        self.model = model
        self.health = health
        self.metrics = metrics
        self.price = price
        self.spend = spend
        self.maxRetries = maxRetries
        self.breaker = breaker
        self.latency = latency
        self.timeouts = timeouts
        self.priority = priority
        self.weight = weight
        chatSpanName = "\(GenAIOperation.chat.rawValue) \(model)"
        embeddingsSpanName = "\(GenAIOperation.embeddings.rawValue) \(model)"
    }

    /// The name of an attempt span of `operation` on this route.
    func spanName(_ operation: GenAIOperation) -> String {
        switch operation {
        case .chat: chatSpanName
        case .embeddings: embeddingsSpanName
        }
    }

    func recordSuccess(_ operation: GenAIOperation, duration: Duration, usage: TokenUsage?, trace: TraceContext) {
        health.recordSuccess(latency: duration)
        metrics.recordAttempt(operation: operation, duration: duration, error: nil, trace: trace)
        if let usage { metrics.recordUsage(usage, operation: operation) }
    }

    func recordFailure(_ operation: GenAIOperation, _ error: GatewayError, duration: Duration, trace: TraceContext) {
        health.recordFailure(error)
        metrics.recordAttempt(operation: operation, duration: duration, error: error, trace: trace)
    }
}
