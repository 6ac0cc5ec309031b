import HTTPTypes
import HummingbirdCore
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
        to writer: consuming ResponseWriter
    ) async throws {
        outcome?.record(status: status)
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.readableBytes)
        try await writer.write(response: HTTPResponse(status: .init(code: status), headerFields: headers), body: .init(byteBuffer: body))
    }

    static func error(
        _ error: GatewayError,
        extraHeaders: HTTPFields = [:],
        outcome: RequestOutcome? = nil,
        to writer: consuming ResponseWriter
    ) async throws {
        var headers = extraHeaders
        if let retryAfter = error.retryAfter {
            headers[retryAfterHeader] = retryAfter
        }
        try await json(OpenAIErrorBody.json(for: error), status: error.status, extraHeaders: headers, outcome: outcome, to: writer)
    }

    /// Answers a request the gateway refuses itself (auth, body, route), noting the error for the access line.
    static func refuse(_ error: GatewayError, scope: RequestScope, to writer: consuming ResponseWriter) async throws {
        scope.outcome.update { $0.errorType = error.code ?? error.type }
        try await ResponseWriting.error(error, extraHeaders: scope.responseHeaders(), outcome: scope.outcome, to: writer)
    }

    /// Answers a failed request with its error, unless the client is gone (then rethrows the cancellation).
    static func fail(_ error: any Error, scope: RequestScope, slot: WriterSlot, provider: String? = nil) async throws {
        let error = (error as? GatewayError) ?? HTTPClientTransport.translate(error)
        scope.outcome.update { $0.errorType = provider == nil ? (error.code ?? error.type) : error.errorTypeLabel }
        if error == .cancelled { throw error }
        guard let writer = slot.take() else { return }
        if error.status >= 500 {
            scope.logger.warning("request failed", metadata: ["status": "\(error.status)", "error": "\(error.message)"])
        }
        try await ResponseWriting.error(error, extraHeaders: scope.responseHeaders(provider: provider), outcome: scope.outcome, to: writer)
    }

    /// Calls `route`'s provider and answers with its JSON reply, or with the error it failed with.
    static func answer(
        route: Route,
        operation: GenAIOperation,
        scope: RequestScope,
        slot: WriterSlot,
        _ call: @Sendable () async throws(GatewayError) -> ProviderReply
    ) async throws {
        let reply: ProviderReply
        do {
            reply = try await route.call(operation, tracing: scope.tracing, call)
        } catch {
            return try await fail(error, scope: scope, slot: slot, provider: route.provider.name)
        }
        scope.outcome.update {
            $0.usage = reply.usage
            if scope.includeContent { $0.completion = CompletionText.extract(from: reply.body) }
        }
        guard let writer = slot.take() else { return }
        try await json(reply.body, extraHeaders: scope.responseHeaders(provider: route.provider.name), outcome: scope.outcome, to: writer)
    }
}
