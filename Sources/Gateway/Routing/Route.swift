import Telemetry
import Tracing

/// One place a request can go: an adapter, the model name to ask it for, and the handles its
/// outcome is recorded through (resolved when the router was built).
public struct Route: Sendable {
    public let provider: any ChatProvider
    public let model: String
    public let health: ProviderHealth
    let metrics: RouteMetrics
    /// The provider's `max_retries`: attempts on this deployment beyond the first.
    let maxRetries: Int
    /// This deployment's breaker (shared by every route to the same provider and model label).
    let breaker: CircuitBreaker
    /// Recent latency of this deployment, for `least_latency` routing.
    let latency: LatencyEstimate
    /// The provider's connect, first-byte, idle and total limits.
    let timeouts: UpstreamTimeouts
    /// Group (lower first) and share within it, from the model's `models:` entry.
    var priority = 0
    var weight = 1.0

    /// Runs one call to this route's provider as an upstream attempt: its CLIENT span's context is what
    /// the upstream sees in `traceparent`; the outcome goes to health, metrics and the span.
    func call(
        _ operation: GenAIOperation,
        tracing: RequestTracing,
        attempt: AttemptSpan,
        _ body: @Sendable () async throws(GatewayError) -> ProviderReply
    ) async throws(GatewayError) -> ProviderReply {
        let started = ContinuousClock.now
        do {
            let reply = try await Self.within(attempt) { () async throws(GatewayError) in try await body() }
            let duration = ContinuousClock.now - started
            recordSuccess(operation, duration: duration, usage: reply.usage, trace: tracing.trace)
            attempt.finish(route: self, operation: operation, stream: false, summary: reply.summary, error: nil)
            return reply
        } catch {
            recordFailure(operation, error, duration: .now - started, trace: tracing.trace)
            attempt.finish(route: self, operation: operation, stream: false, summary: nil, error: error)
            throw error
        }
    }

    /// Runs `body` with `attempt`'s context as the one upstream requests propagate and, when tracing is
    /// on, as the current `ServiceContext`, so instrumented libraries called inside join the attempt's span.
    static func within<Value: Sendable>(
        _ attempt: AttemptSpan,
        _ body: @Sendable () async throws(GatewayError) -> Value
    ) async throws(GatewayError) -> Value {
        do {
            guard attempt.sink != nil else {
                return try await UpstreamTrace.$context.withValue(attempt.context) { try await body() }
            }
            var context = ServiceContext.current ?? .topLevel
            context.traceContext = attempt.context
            return try await ServiceContext.withValue(context) {
                try await UpstreamTrace.$context.withValue(attempt.context) { try await body() }
            }
        } catch let error as GatewayError {
            throw error
        } catch {
            throw UpstreamErrors.transport(error)
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
