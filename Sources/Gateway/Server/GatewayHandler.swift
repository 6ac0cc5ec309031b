import HTTPTypes
import Logging
import NIOCore
import Telemetry

/// The gateway's request pipeline: plain Swift called once per request by the HTTP server.
///
/// It dispatches on method and path itself (a handful of fixed routes needs no router), so the
/// pipeline owes nothing to a web framework's middleware types and can move onto a bare NIO handler.
/// A class: the per-request closures that capture it hold one reference, not a copy of every endpoint.
final class GatewayHandler: Sendable {
    static let providerHeader = HTTPField.Name("x-llm-gateway-provider")!
    static let attemptsHeader = HTTPField.Name("x-llm-gateway-attempts")!

    /// The configuration generation each request runs on (endpoints, routes, keys, limits).
    let active: ActiveConfig
    let bodyReader: RequestBodyReader
    let disconnects: ClientDisconnectMonitor
    let metrics: HTTPMetrics
    let includeContent: Bool
    let spans: (any SpanSink)?
    let sampler: TraceSampler
    let logger: Logger
    let accessLog: AccessLog

    init(
        active: ActiveConfig,
        bodyReader: RequestBodyReader,
        disconnects: ClientDisconnectMonitor,
        metrics: HTTPMetrics,
        includeContent: Bool,
        spans: (any SpanSink)?,
        sampler: TraceSampler,
        logger: Logger
    ) {
        self.active = active
        self.bodyReader = bodyReader
        self.disconnects = disconnects
        self.metrics = metrics
        self.includeContent = includeContent
        self.spans = spans
        self.sampler = sampler
        self.logger = logger
        accessLog = AccessLog(logger: logger)
    }

    /// Answers one request and records it in `http_requests_total`, `http_request_duration_seconds`
    /// (with the request's trace as exemplar) and `http_requests_in_flight`. The request runs to its end on
    /// the configuration generation current when it arrived, whatever a reload swaps in meanwhile.
    func respond(to request: ServerRequest, writer: consuming ClientResponseWriter) async throws {
        let generation = active.enter()
        var scope = RequestScope(headers: request.headers, logger: logger, includeContent: includeContent, spans: spans, sampler: sampler)
        let route = APIRoute(path: request.path)
        let handles = metrics.handles(route: route, method: request.method.rawValue)
        metrics.inFlight.add(1)
        defer {
            metrics.inFlight.add(-1)
            let duration = ContinuousClock.now - scope.start
            // 499: the client closed the connection before an answer was sent (nginx's convention).
            let status = scope.outcome.status == 0 ? 499 : scope.outcome.status
            handles.statuses.counter(for: status).increment()
            handles.duration.cell.observe(duration, exemplar: (scope.trace.traceID, scope.trace.spanID))
            metrics.overhead(route: route)?.observe(max(.zero, duration - scope.outcome.upstreamTime))
            let lineLevel = accessLog.level(for: route)
            let settles = generation.limiter != nil || generation.budgets != nil
            // The outcome's details, read once under its lock, and only when the line, the span or the settling takes
            // them (a gateway without any of the three copies nothing).
            if lineLevel != nil || scope.tracing.sink != nil || settles {
                let details = scope.outcome.details
                let method = request.method.rawValue
                if let lineLevel {
                    accessLog.write(at: lineLevel, scope: scope, details: details, method: method, route: route, status: status, duration: duration)
                }
                scope.tracing.finishServerSpan(method: method, route: route, path: request.path, status: status, scope: scope, details: details)
                if settles {
                    generation.limiter?.settle(details.reservations, tokens: details.usage?.totalTokens ?? 0)
                    generation.budgets?.settle(details.budget, cost: details.cost, tokens: details.usage?.totalTokens ?? 0)
                }
            }
            generation.leave()
        }
        try await dispatch(request, on: generation, scope: &scope, writer: writer)
    }

    private func dispatch(
        _ request: ServerRequest,
        on generation: ConfigGeneration,
        scope: inout RequestScope,
        writer: consuming ClientResponseWriter
    ) async throws {
        let path = request.path
        let authenticator = generation.authenticator
        switch (request.method, path) {
        case (.post, "/v1/chat/completions"):
            try await authenticated(request, authenticator, &scope, writer) { request, body, scope, slot in
                try await generation.chat.handle(body: body, headers: request.headers, scope: scope, slot: slot)
            }
        case (.post, "/v1/messages"):
            scope.dialect = .anthropic
            try await translatedChat(request, generation, &scope, writer) { body, _ throws(GatewayError) in
                (try MessagesRequestMapping.openAIBody(from: body), .anthropic)
            }
        case (.post, "/v1/responses"):
            try await translatedChat(request, generation, &scope, writer) { body, scope throws(GatewayError) in
                try await generation.responses.translate(body, scope: scope)
            }
        case (.post, "/v1/embeddings"):
            try await authenticated(request, authenticator, &scope, writer) { request, body, scope, slot in
                try await generation.embeddings.handle(body: body, scope: scope, slot: slot)
            }
        case (.get, "/v1/models"):
            let authError: GatewayError?
            do {
                scope.client = try authenticator.authenticate(request.headers)
                authError = nil
            } catch {
                authError = error
            }
            if let authError {
                try await ResponseWriting.refuse(authError, scope: scope, to: writer)
            } else {
                try await generation.models.list(scope: scope, writer: writer)
            }
        case (.get, "/health"), (.head, "/health"):
            try await generation.health.health(outcome: scope.outcome, writer: writer)
        case (.get, "/health/live"), (.head, "/health/live"):
            try await generation.health.live(outcome: scope.outcome, writer: writer)
        case (.get, "/health/ready"), (.head, "/health/ready"):
            try await generation.health.ready(outcome: scope.outcome, writer: writer)
        case (_, "/v1/chat/completions"), (_, "/v1/messages"), (_, "/v1/responses"), (_, "/v1/embeddings"), (_, "/v1/models"), (_, "/health"),
            (_, "/health/live"),
            (_, "/health/ready"):
            try await ResponseWriting.refuse(.methodNotAllowed, scope: scope, to: writer)
        case (.get, _) where path.hasPrefix(ResponsesEndpoint.pathPrefix), (.delete, _) where path.hasPrefix(ResponsesEndpoint.pathPrefix):
            try await storedResponse(request, generation, &scope, writer)
        default:
            try await ResponseWriting.refuse(.routeNotFound(path), scope: scope, to: writer)
        }
    }

    /// The chat pipeline for a request in another API: `translate` turns its body into a chat body and names
    /// the dialect its answer is rendered in; a body it refuses is answered in the route's dialect as set.
    private func translatedChat(
        _ request: ServerRequest,
        _ generation: ConfigGeneration,
        _ scope: inout RequestScope,
        _ writer: consuming ClientResponseWriter,
        translate: nonisolated(nonsending) @escaping @Sendable (ByteBuffer, RequestScope) async throws(GatewayError) -> (ByteBuffer, ResponseDialect)
    ) async throws {
        try await authenticated(request, generation.authenticator, &scope, writer) { request, body, scope, slot in
            var scope = scope
            let converted: ByteBuffer
            do {
                (converted, scope.dialect) = try await translate(body, scope)
            } catch {
                return try await ResponseWriting.fail(error, scope: scope, slot: slot)
            }
            try await generation.chat.handle(body: converted, headers: request.headers, scope: scope, slot: slot)
        }
    }

    /// `GET` or `DELETE /v1/responses/{id}`, for the client key that stored it.
    private func storedResponse(
        _ request: ServerRequest,
        _ generation: ConfigGeneration,
        _ scope: inout RequestScope,
        _ writer: consuming ClientResponseWriter
    ) async throws {
        let id = String(request.path.dropFirst(ResponsesEndpoint.pathPrefix.count))
        do throws(GatewayError) {
            scope.client = try generation.authenticator.authenticate(request.headers)
            guard !id.isEmpty, !id.contains("/") else { throw GatewayError.routeNotFound(request.path) }
        } catch {
            return try await ResponseWriting.refuse(error, scope: scope, to: writer)
        }
        if request.method == .delete {
            try await generation.responses.delete(id: id, scope: scope, writer: writer)
        } else {
            try await generation.responses.get(id: id, scope: scope, writer: writer)
        }
    }

    /// The client (into `scope`) and the request's body, or why the request is refused. Not inlined: the body
    /// reader's state would otherwise stay in the context of ``authenticated(_:_:_:_:operation:)``, which a
    /// stream keeps for its whole life.
    @inline(never)
    private func admit(
        _ request: ServerRequest,
        _ authenticator: Authenticator,
        _ scope: inout RequestScope
    ) async -> Result<ByteBuffer, GatewayError> {
        do throws(GatewayError) {
            scope.client = try authenticator.authenticate(request.headers)
            return .success(try await bodyReader.read(request))
        } catch {
            return .failure(error)
        }
    }

    /// Authenticates, reads the body, then runs `operation` so that a client disconnect cancels it.
    private func authenticated(
        _ request: ServerRequest,
        _ authenticator: Authenticator,
        _ scope: inout RequestScope,
        _ writer: consuming ClientResponseWriter,
        operation: nonisolated(nonsending) @escaping @Sendable (ServerRequest, ByteBuffer, RequestScope, WriterSlot) async throws -> Void
    ) async throws {
        let body: ByteBuffer
        switch await admit(request, authenticator, &scope) {
        case .success(let read): body = read
        case .failure(.cancelled): return
        case .failure(let error): return try await ResponseWriting.refuse(error, scope: scope, to: writer)
        }
        let slot = WriterSlot(writer)
        let finalScope = scope
        do {
            try await disconnects.run(on: request.channel) {
                try await operation(request, body, finalScope, slot)
            }
        } catch is CancellationError {
            Self.noteCancelled(finalScope)
        } catch GatewayError.cancelled {
            Self.noteCancelled(finalScope)
        }
    }

    /// Not inlined: the request's logger is built with its ids, a few hundred bytes that would otherwise take
    /// room in the async context of every request (and every stream's, for its whole life).
    @inline(never)
    private static func noteCancelled(_ scope: RequestScope) {
        scope.logger.info("client disconnected; request cancelled")
    }
}
