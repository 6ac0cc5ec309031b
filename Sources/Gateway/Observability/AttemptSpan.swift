import Telemetry

/// One upstream attempt's CLIENT span, named `{gen_ai.operation.name} {gen_ai.request.model}`.
struct AttemptSpan: Sendable {
    let sink: (any SpanSink)?
    let context: TraceContext
    let startUnixNano: UInt64
    /// Where the pool notes how long the attempt waited for a connection (nil when not recorded).
    let waits: RequestOutcome?
    /// 1 for the first attempt of a request.
    var number = 1
    var reason: AttemptReason?

    func finish(
        route: Route,
        operation: GenAIOperation,
        stream: Bool,
        summary: ResponseSummary?,
        firstChunk: Duration? = nil,
        error: GatewayError?
    ) {
        guard let sink else { return }
        sink.submit(
            FinishedAttempt(
                context: context,
                startUnixNano: startUnixNano,
                number: number,
                reason: reason,
                endUnixNano: WallClock.nowUnixNano(),
                route: route,
                operation: operation,
                stream: stream,
                summary: summary,
                firstChunk: firstChunk,
                connectionWait: waits?.takeConnectionWait(),
                error: error
            )
        )
    }
}

/// An attempt's CLIENT span as it ended: the route, the answer's summary and the error, kept as they are.
/// Its attributes and events are written only when the span is exported (``FinishedSpan``). It keeps the
/// attempt's fields but not its sink: a span in the sink's queue needs no reference back to the sink.
final class FinishedAttempt: FinishedSpan {
    private let context: TraceContext
    private let startUnixNano: UInt64
    private let number: Int
    private let reason: AttemptReason?
    private let endUnixNano: UInt64
    private let route: Route
    private let operation: GenAIOperation
    private let stream: Bool
    private let summary: ResponseSummary?
    private let firstChunk: Duration?
    private let connectionWait: ConnectionWait?
    private let error: GatewayError?

    init(
        context: TraceContext,
        startUnixNano: UInt64,
        number: Int,
        reason: AttemptReason?,
        endUnixNano: UInt64,
        route: Route,
        operation: GenAIOperation,
        stream: Bool,
        summary: ResponseSummary?,
        firstChunk: Duration?,
        connectionWait: ConnectionWait?,
        error: GatewayError?
    ) {
        self.context = context
        self.startUnixNano = startUnixNano
        self.number = number
        self.reason = reason
        self.endUnixNano = endUnixNano
        self.route = route
        self.operation = operation
        self.stream = stream
        self.summary = summary
        self.firstChunk = firstChunk
        self.connectionWait = connectionWait
        self.error = error
    }

    var estimatedBytes: Int {
        768 + (summary?.id?.utf8.count ?? 0) + (error?.message.utf8.count ?? 0) + (connectionWait == nil ? 0 : 128)
    }

    func write<Writer: SpanWriter & ~Copyable>(to writer: inout Writer) {
        writer.beginSpan(
            SpanHeader(
                context: context,
                name: route.spanName(operation),
                kind: .client,
                startTimeUnixNano: startUnixNano,
                endTimeUnixNano: endUnixNano
            )
        )
        writer.attribute("gen_ai.operation.name", operation.rawValue)
        writer.attribute("gen_ai.provider.name", route.metrics.provider.genAIName)
        writer.attribute("gen_ai.request.model", route.model)
        writer.attribute("gen_ai.request.stream", stream)
        writer.attribute("llm_gateway.provider", route.provider.name)
        if let server = route.provider.serverAddress {
            writer.attribute("server.address", server.host)
            writer.attribute("server.port", server.port)
        }
        if let summary { write(summary, to: &writer) }
        writer.attribute("llm_gateway.attempt", number)
        if let firstChunk { writer.attribute("gen_ai.response.time_to_first_chunk", firstChunk.seconds) }
        if let error { writer.attribute("error.type", error.errorTypeLabel) }
        if let reason {
            writer.beginEvent(reason.eventName, at: startUnixNano)
            reason.write(to: &writer)
            writer.endEvent()
        }
        connectionWait?.write(to: &writer)
        if let firstChunk {
            writer.beginEvent("gen_ai.first_token", at: startUnixNano + UInt64(max(0, firstChunk.seconds) * 1e9))
            writer.endEvent()
        }
        writer.endSpan(status: error.map { .error($0.message) } ?? .unset)
    }

    private func write<Writer: SpanWriter & ~Copyable>(_ summary: ResponseSummary, to writer: inout Writer) {
        if let model = summary.model { writer.attribute("gen_ai.response.model", model) }
        if let id = summary.id { writer.attribute("gen_ai.response.id", id) }
        if !summary.finishReasons.isEmpty { writer.attribute("gen_ai.response.finish_reasons", summary.finishReasons) }
        guard let usage = summary.usage else { return }
        writer.attribute("gen_ai.usage.input_tokens", usage.promptTokens)
        writer.attribute("gen_ai.usage.output_tokens", usage.completionTokens)
        if usage.cacheReadTokens > 0 { writer.attribute("gen_ai.usage.cache_read.input_tokens", usage.cacheReadTokens) }
        if usage.cacheCreationTokens > 0 { writer.attribute("gen_ai.usage.cache_creation.input_tokens", usage.cacheCreationTokens) }
        if usage.reasoningTokens > 0 { writer.attribute("gen_ai.usage.reasoning.output_tokens", usage.reasoningTokens) }
    }
}

/// Why an upstream attempt after the first was made.
enum AttemptReason: Sendable {
    /// The same deployment again, after `error`.
    case retry(after: GatewayError)
    /// The next deployment, after `from` failed with `error`.
    case failover(from: String, after: GatewayError)

    var eventName: String {
        switch self {
        case .retry: "llm_gateway.retry"
        case .failover: "llm_gateway.failover"
        }
    }

    /// The attributes of the attempt's retry or failover event.
    func write<Writer: SpanWriter & ~Copyable>(to writer: inout Writer) {
        switch self {
        case .retry(let error): writer.attribute("error.type", error.errorTypeLabel)
        case .failover(let from, let error):
            writer.attribute("llm_gateway.failover.from", from)
            writer.attribute("error.type", error.errorTypeLabel)
        }
    }
}
