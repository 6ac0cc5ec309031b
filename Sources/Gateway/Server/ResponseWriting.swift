import HTTPTypes
import NIOCore

/// Writes complete responses: JSON bodies with their length, and OpenAI-style errors.
enum ResponseWriting {
    static let requestIDHeader = HTTPField.Name("x-request-id")!
    static let retryAfterHeader = HTTPField.Name("retry-after")!

    static func json(
        _ body: ByteBuffer,
        status: Int = 200,
        extraHeaders: HTTPFields = [:],
        outcome: RequestOutcome? = nil,
        to writer: consuming ClientResponseWriter
    ) async throws {
        outcome?.record(status: status)
        var headers = extraHeaders
        headers.assign("application/json", to: .contentType)
        headers.assign(String(body.readableBytes), to: .contentLength)
        try await writer.write(HTTPResponse(status: .init(code: status), headerFields: headers), body: body)
    }

    static func error(
        _ error: GatewayError,
        dialect: ResponseDialect = .openAI,
        extraHeaders: HTTPFields = [:],
        outcome: RequestOutcome? = nil,
        to writer: consuming ClientResponseWriter
    ) async throws {
        var headers = extraHeaders
        if let retryAfter = error.retryAfter {
            headers[retryAfterHeader] = retryAfter
        }
        let body = dialect.errorBody(error, requestID: extraHeaders[requestIDHeader], provider: extraHeaders[GatewayHandler.providerHeader])
        try await json(body, status: error.status, extraHeaders: headers, outcome: outcome, to: writer)
    }

    /// Answers a request the gateway refuses itself (auth, body, route), noting the error for the access line.
    /// Never inlined, as the other error paths: an async function's context holds what every call it inlines
    /// keeps across a suspension, and a stream holds its callers' contexts for its whole life.
    @inline(never)
    static func refuse(_ error: GatewayError, scope: RequestScope, to writer: consuming ClientResponseWriter) async throws {
        scope.outcome.update { $0.errorType = error.code ?? error.type }
        try await ResponseWriting.error(error, dialect: scope.dialect, extraHeaders: scope.responseHeaders(), outcome: scope.outcome, to: writer)
    }

    /// Answers a failed request with its error, unless the client is gone (then rethrows the cancellation).
    @inline(never)
    static func fail(_ error: any Error, scope: RequestScope, slot: WriterSlot, provider: String? = nil, attempts: Int? = nil) async throws {
        let error = (error as? GatewayError) ?? UpstreamErrors.transport(error)
        scope.outcome.update { $0.errorType = provider == nil ? (error.code ?? error.type) : error.errorTypeLabel }
        if error == .cancelled { throw error }
        guard let writer = slot.take() else { return }
        if error.status >= 500 {
            scope.logger.warning("request failed", metadata: ["status": "\(error.status)", "error": "\(error.logDetail)"])
        } else if case .modelNotAllowed(let model) = error {
            scope.logger.warning("request refused by the data-residency policy", metadata: ["model": "\(model)"])
        }
        try await ResponseWriting.error(
            error,
            dialect: scope.dialect,
            extraHeaders: scope.responseHeaders(provider: provider, attempts: attempts),
            outcome: scope.outcome,
            to: writer
        )
    }

    /// Answers with the failure of the last attempt, noting where it went and how many were made.
    @inline(never)
    static func fail(_ failure: UpstreamAttempts.Failure, scope: RequestScope, slot: WriterSlot) async throws {
        let provider = failure.route?.provider.name
        scope.outcome.update {
            $0.provider = provider
            $0.attempts = failure.attempts
        }
        try await fail(failure.error, scope: scope, slot: slot, provider: provider, attempts: failure.attempts)
    }

    /// Calls the routes' providers through `call` and answers with the first whole answer, or with the error
    /// the last attempt failed with.
    static func answer(
        _ call: UpstreamCall,
        routes: [Route],
        tokens: Int,
        operation: GenAIOperation,
        scope: RequestScope,
        slot: WriterSlot,
        keep: (@Sendable (ByteBuffer) -> Void)? = nil,
        _ provider: nonisolated(nonsending) @escaping @Sendable (Route) async throws(GatewayError) -> ProviderReply
    ) async throws {
        let answer: UpstreamCall.Answer
        do {
            answer = try await call.answer(routes: routes, tokens: tokens, operation: operation, scope: scope, provider)
        } catch {
            return try await fail(error, scope: scope, slot: slot)
        }
        try await write(answer, scope: scope, slot: slot, keep: keep)
    }

    /// Answers with a whole upstream answer (rendered in the client's dialect), noting where it came from;
    /// `keep` receives the OpenAI bytes (the cache).
    static func write(
        _ answer: UpstreamCall.Answer,
        scope: RequestScope,
        slot: WriterSlot,
        keep: (@Sendable (ByteBuffer) -> Void)? = nil
    ) async throws {
        let reply = answer.reply
        let provider = answer.route.provider.name
        let cost = scope.cost(of: reply.usage, route: answer.route)
        scope.outcome.update {
            $0.provider = provider
            $0.attempts = answer.attempts
            $0.usage = reply.usage
            $0.cost = cost
            if scope.includeContent { $0.completion = CompletionText.extract(from: reply.body) }
        }
        let rendered: ByteBuffer
        if reply.format == .responses {
            // Passed through: the provider's own answer, which it stores (the gateway notes where).
            rendered = reply.body
            await scope.dialect.passedThrough(id: reply.summary.id, route: answer.route)
        } else {
            do {
                rendered = try await scope.dialect.render(reply.body)
            } catch {
                return try await fail(error, scope: scope, slot: slot, provider: provider, attempts: answer.attempts)
            }
            keep?(reply.body)
        }
        guard let writer = slot.take() else { return }
        let headers = scope.responseHeaders(provider: provider, attempts: answer.attempts)
        try await json(rendered, extraHeaders: headers, outcome: scope.outcome, to: writer)
    }
}

extension HTTPFields {
    /// `self[name] = value`, appending when the name is new (the usual case here): assigning searches the
    /// fields and copies them to replace one.
    fileprivate mutating func assign(_ value: String, to name: HTTPField.Name) {
        if self[name] == nil {
            append(HTTPField(name: name, value: value))
        } else {
            self[name] = value
        }
    }
}
