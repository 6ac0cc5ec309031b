/// The one home of the upstream call: attempts (retries, failover, breakers, providers' own limits),
/// deadlines, the CLIENT span of each attempt, success and failure recording, and the translation of every
/// failure into ``GatewayError``. Two entry points — a whole answer, a started stream — so `Server/` only
/// parses, admits and writes what comes back.
struct UpstreamCall: Sendable {
    let attempts: UpstreamAttempts

    /// A whole answer, with where it came from.
    struct Answer: Sendable {
        var reply: ProviderReply
        var route: Route
        /// Attempts made, this one included.
        var attempts: Int
    }

    /// Calls the routes' providers until one answers, or fails with the last attempt's error.
    func answer(
        routes: [Route],
        tokens: Int,
        operation: GenAIOperation,
        scope: RequestScope,
        _ call: nonisolated(nonsending) @escaping @Sendable (Route) async throws(GatewayError) -> ProviderReply
    ) async throws(UpstreamAttempts.Failure) -> Answer {
        let result = try await attempts.run(routes: routes, scope: scope, tokens: tokens) { route, attempt async throws(GatewayError) in
            try await Self.attempt(route, attempt, operation, stream: false, scope: scope) { started async throws(GatewayError) in
                let reply = try await call(route)
                route.recordSuccess(operation, duration: .now - started, usage: reply.usage, trace: scope.trace)
                attempt.finish(route: route, operation: operation, stream: false, summary: reply.summary, error: nil)
                return reply
            }
        }
        return Answer(reply: result.value, route: result.route, attempts: result.attempts)
    }

    /// Opens a stream on the first route that delivers a first event. Until that event, a refusal (429, 5xx,
    /// a timeout — the transport holds the first event to the first-byte limit) is retried or failed over like
    /// any attempt; from it on, the stream is the caller's to relay and to end through ``StartedStream``.
    @inline(never)
    func startStream(
        routes: [Route],
        tokens: Int,
        scope: RequestScope,
        _ open: nonisolated(nonsending) @escaping @Sendable (Route) async throws(GatewayError) -> ProviderStream
    ) async throws(UpstreamAttempts.Failure) -> StartedStream {
        let result = try await attempts.run(routes: routes, scope: scope, tokens: tokens) { route, attempt async throws(GatewayError) in
            try await Self.attempt(route, attempt, .chat, stream: true, scope: scope) { started async throws(GatewayError) in
                let stream = try await open(route)
                var events = stream.events.makeAsyncIterator()
                let first = try await StartedStream.next(&events)
                return StartedStream.Opened(stream: stream, events: events, first: first, started: started, attempt: attempt)
            }
        }
        return StartedStream(result.value, route: result.route, attempts: result.attempts, trace: scope.trace)
    }

    /// One attempt: `body` runs (given its start) under the attempt's trace context; a failure is recorded on
    /// the route and the attempt's span before it goes back to the retry loop.
    private static func attempt<Value: Sendable>(
        _ route: Route,
        _ attempt: AttemptSpan,
        _ operation: GenAIOperation,
        stream: Bool,
        scope: RequestScope,
        _ body: nonisolated(nonsending) @escaping @Sendable (ContinuousClock.Instant) async throws(GatewayError) -> Value
    ) async throws(GatewayError) -> Value {
        let started = ContinuousClock.now
        do {
            return try await within(attempt) { () async throws(GatewayError) in try await body(started) }
        } catch {
            route.recordFailure(operation, error, duration: .now - started, trace: scope.trace)
            attempt.finish(route: route, operation: operation, stream: stream, summary: nil, error: error)
            throw error
        }
    }

    /// Runs `body` with `attempt`'s context as the one upstream requests propagate (`traceparent`), and its
    /// note for the connection pool's wait.
    /// The closure given to the task-local scope captures `isolation`, so it runs isolated to the caller (the
    /// request's event loop) instead of hopping to the generic executor and taking the attempt along.
    ///
    /// The attempt is not made the current `ServiceContext`: no transport the gateway has is instrumented with
    /// swift-distributed-tracing (AsyncHTTPClient's tracing is off, providers use the pool), and binding one
    /// (a copied context dictionary with the trace context boxed in it) cost every traced request about 0.4 µs.
    private static func within<Value: Sendable>(
        _ attempt: AttemptSpan,
        isolation: isolated (any Actor)? = #isolation,
        _ body: nonisolated(nonsending) @Sendable () async throws(GatewayError) -> Value
    ) async throws(GatewayError) -> Value {
        do {
            return try await UpstreamTrace.$attempt.withValue(.init(context: attempt.context, waits: attempt.waits)) {
                _ = isolation
                return try await body()
            }
        } catch let error as GatewayError {
            throw error
        } catch {
            throw UpstreamErrors.transport(error)
        }
    }
}
