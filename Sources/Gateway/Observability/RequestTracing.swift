import Telemetry

/// The span recording of one request: the sink when the request is sampled and tracing is on, else nil
/// (then no span is built at all).
struct RequestTracing: Sendable {
    let sink: (any SpanSink)?
    let trace: TraceContext
    let startUnixNano: UInt64

    /// The SERVER span, submitted once the response is complete. Probes are not traced: a kubelet
    /// polling `/health/*` every few seconds would bury the requests in noise.
    func finishServerSpan(method: String, route: APIRoute, path: String, status: Int, scope: RequestScope, details: RequestOutcome.Details) {
        guard let sink, ![.health, .healthLive, .healthReady].contains(route) else { return }
        var attributes: [SpanAttribute] = []
        attributes.reserveCapacity(12)
        attributes.append(.string("http.request.method", method))
        attributes.append(.string("url.path", route == .other ? "other" : path))
        attributes.append(.string("url.scheme", "http"))
        attributes.append(.int("http.response.status_code", status))
        attributes.append(.string("llm_gateway.request_id", scope.requestID))
        if route != .other { attributes.append(.string("http.route", route.rawValue)) }
        if let client = scope.clientName { attributes.append(.string("llm_gateway.client", client)) }
        if let cache = details.cache { attributes.append(.string("llm_gateway.cache", cache.rawValue)) }
        if let cost = details.cost {
            // OpenTelemetry has no stable cost attribute yet: these are the names proposed for it.
            attributes.append(.double("gen_ai.usage.cost.amount", cost.usd))
            attributes.append(.string("gen_ai.usage.cost.currency", "USD"))
        }
        if let verdict = details.rateLimit {
            attributes.append(.string("llm_gateway.rate_limit.scope", verdict.rule.scope))
            attributes.append(.string("llm_gateway.rate_limit.result", verdict.result))
        }
        if let errorType = details.errorType, status >= 400 { attributes.append(.string("error.type", errorType)) }
        sink.submit(
            SpanRecord(
                traceID: trace.traceID,
                spanID: trace.spanID,
                parentSpanID: trace.parentSpanID,
                traceState: trace.traceState,
                name: route.spanName(method: method),
                kind: .server,
                startTimeUnixNano: startUnixNano,
                endTimeUnixNano: WallClock.nowUnixNano(),
                attributes: attributes,
                status: status >= 500 ? .error("HTTP \(status)") : .unset
            )
        )
    }

    /// Starts the CLIENT span of one upstream attempt; its context is what the upstream sees in `traceparent`.
    /// - Parameter reason: why this attempt exists when it is not the first (a retry or a failover).
    func startAttempt(number: Int = 1, reason: AttemptReason? = nil) -> AttemptSpan {
        AttemptSpan(sink: sink, context: trace.child(), startUnixNano: WallClock.nowUnixNano(), number: number, reason: reason)
    }
}

/// One upstream attempt's CLIENT span, named `{gen_ai.operation.name} {gen_ai.request.model}`.
struct AttemptSpan: Sendable {
    let sink: (any SpanSink)?
    let context: TraceContext
    let startUnixNano: UInt64
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
        var attributes: [SpanAttribute] = []
        // Room for every attribute below: the array is allocated once.
        attributes.reserveCapacity(16)
        attributes.append(.string("gen_ai.operation.name", operation.rawValue))
        attributes.append(.string("gen_ai.provider.name", route.metrics.provider.genAIName))
        attributes.append(.string("gen_ai.request.model", route.model))
        attributes.append(.bool("gen_ai.request.stream", stream))
        attributes.append(.string("llm_gateway.provider", route.provider.name))
        if let server = route.provider.serverAddress {
            attributes.append(.string("server.address", server.host))
            attributes.append(.int("server.port", server.port))
        }
        if let summary {
            if let model = summary.model { attributes.append(.string("gen_ai.response.model", model)) }
            if let id = summary.id { attributes.append(.string("gen_ai.response.id", id)) }
            if !summary.finishReasons.isEmpty { attributes.append(.init("gen_ai.response.finish_reasons", .stringArray(summary.finishReasons))) }
            if let usage = summary.usage {
                attributes.append(.int("gen_ai.usage.input_tokens", usage.promptTokens))
                attributes.append(.int("gen_ai.usage.output_tokens", usage.completionTokens))
                if usage.cacheReadTokens > 0 { attributes.append(.int("gen_ai.usage.cache_read.input_tokens", usage.cacheReadTokens)) }
                if usage.cacheCreationTokens > 0 {
                    attributes.append(.int("gen_ai.usage.cache_creation.input_tokens", usage.cacheCreationTokens))
                }
                if usage.reasoningTokens > 0 { attributes.append(.int("gen_ai.usage.reasoning.output_tokens", usage.reasoningTokens)) }
            }
        }
        var events: [SpanEvent] = []
        attributes.append(.int("llm_gateway.attempt", number))
        if let reason {
            events.append(SpanEvent(name: reason.eventName, timeUnixNano: startUnixNano, attributes: reason.attributes))
        }
        if let firstChunk {
            attributes.append(.double("gen_ai.response.time_to_first_chunk", firstChunk.seconds))
            let offset = UInt64(max(0, firstChunk.seconds) * 1e9)
            events.append(SpanEvent(name: "gen_ai.first_token", timeUnixNano: startUnixNano + offset))
        }
        if let error { attributes.append(.string("error.type", error.errorTypeLabel)) }
        sink.submit(
            SpanRecord(
                traceID: context.traceID,
                spanID: context.spanID,
                parentSpanID: context.parentSpanID,
                traceState: context.traceState,
                name: route.spanName(operation),
                kind: .client,
                startTimeUnixNano: startUnixNano,
                endTimeUnixNano: WallClock.nowUnixNano(),
                attributes: attributes,
                events: events,
                status: error.map { .error($0.message) } ?? .unset
            )
        )
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

    var attributes: [SpanAttribute] {
        switch self {
        case .retry(let error): [.string("error.type", error.errorTypeLabel)]
        case .failover(let from, let error): [.string("llm_gateway.failover.from", from), .string("error.type", error.errorTypeLabel)]
        }
    }
}

/// The trace context of the upstream attempt in progress, read by request mappings to send `traceparent`.
enum UpstreamTrace {
    @TaskLocal static var context: TraceContext?
}
