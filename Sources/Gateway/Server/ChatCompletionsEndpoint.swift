import HTTPTypes
import Logging
import NIOCore

/// `POST /v1/chat/completions`: validate, route, call the provider, answer whole or as SSE.
struct ChatCompletionsEndpoint: Sendable {
    let router: ModelRouter
    let limiter: RateLimiter?
    /// Nil when no client key has a budget.
    var budgets: BudgetEnforcer?
    /// Nil when `cache.enabled` is off.
    let cache: ResponseCache?
    /// Bounds on the request's numbers (`server.max_output_tokens`).
    var limits = RequestLimits()

    @inline(never)
    func handle(body: ByteBuffer, headers: HTTPFields, scope: RequestScope, slot: WriterSlot) async throws {
        let request: ChatCompletionRequest
        let routes: [Route]
        let tokens: Int
        do {
            request = try ChatCompletionRequest(body: body, limits: limits)
            routes = try router.resolve(request.model, pinnedTo: scope.dialect.pinnedRoute)
            tokens = TokenEstimate.chat(request)
            try await limiter?.admitClient(scope: scope, tokens: tokens)
            try await budgets?.admit(scope: scope, tokens: tokens, routes: routes)
        } catch {
            return try await ResponseWriting.fail(error, scope: scope, slot: slot)
        }
        scope.outcome.update {
            $0.model = request.model
            $0.stream = request.stream
            if scope.includeContent { $0.prompt = request.messages.last(where: { $0.role == "user" })?.text }
        }
        let lookup = await lookUpCache(request, headers: headers, scope: scope)
        if case .hit(let answer)? = lookup {
            return try await serveCached(answer, stream: request.stream, scope: scope, slot: slot)
        }
        let fill = lookup?.key.flatMap { key in cache.map { CacheFill(cache: $0, key: key) } }
        if request.stream {
            try await stream(request, routes: routes, tokens: tokens, scope: scope, slot: slot, fill: fill)
        } else {
            try await answer(request, routes: routes, tokens: tokens, scope: scope, slot: slot, fill: fill)
        }
    }

    /// A whole answer. Not inlined into ``handle(body:headers:scope:slot:)``, whose context a stream keeps for its
    /// whole life: what the whole-answer path keeps across its awaits would ride along with every stream.
    @inline(never)
    private func answer(
        _ request: ChatCompletionRequest,
        routes: [Route],
        tokens: Int,
        scope: RequestScope,
        slot: WriterSlot,
        fill: CacheFill?
    ) async throws {
        var keep: (@Sendable (ByteBuffer) -> Void)?
        if let fill { keep = { answer in fill.cache.store(fill.key, answer) } }
        let passthrough = scope.dialect.passthrough
        try await ResponseWriting.answer(router.upstream, routes: routes, tokens: tokens, operation: .chat, scope: scope, slot: slot, keep: keep) {
            route async throws(GatewayError) in
            if let passthrough, let provider = route.provider as? any ResponsesPassthrough {
                return try await provider.createResponse(passthrough.body, requestedModel: passthrough.model, model: route.model)
            }
            return try await route.provider.chatCompletion(request, model: route.model)
        }
    }

    /// Relays the provider's SSE events as they arrive. The response head waits for the first event,
    /// so a refusal before any output (429, 5xx, timeout) is retried or failed over like any other
    /// attempt, and otherwise still reaches the client as an HTTP status.
    @inline(never)
    private func stream(
        _ request: ChatCompletionRequest,
        routes: [Route],
        tokens: Int,
        scope: RequestScope,
        slot: WriterSlot,
        fill: CacheFill?
    ) async throws {
        let stream: StartedStream
        let passthrough = scope.dialect.passthrough
        do {
            stream = try await router.upstream.startStream(routes: routes, tokens: tokens, scope: scope) { route async throws(GatewayError) in
                if let passthrough, let provider = route.provider as? any ResponsesPassthrough {
                    return try await provider.createResponseStream(passthrough.body, requestedModel: passthrough.model, model: route.model)
                }
                return try await route.provider.chatCompletionStream(request, model: route.model)
            }
        } catch {
            return try await ResponseWriting.fail(error, scope: scope, slot: slot)
        }
        let provider = stream.route.provider.name
        scope.outcome.update {
            $0.provider = provider
            $0.attempts = stream.attempts
        }
        // From the first event on, the stream's pace is the upstream's.
        let relayStarted = ContinuousClock.now
        defer { scope.outcome.addUpstreamTime(.now - relayStarted) }
        guard let writer = slot.take() else { return }
        scope.outcome.record(status: 200)
        let body = try await writer.writeHead(StreamRelay.head(scope: scope, provider: provider, attempts: stream.attempts))
        try await StreamRelay(stream: stream, scope: scope, provider: provider, fill: fill).run(to: body)
    }
}
