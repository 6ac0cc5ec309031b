import HTTPTypes
import NIOCore

extension ChatCompletionsEndpoint {
    /// What the cache said: a stored answer, or the key to store this request's answer under (nil: bypassed).
    enum CacheLookup: Sendable {
        case hit(ByteBuffer)
        case miss(key: String?)

        var key: String? {
            if case .miss(let key) = self { return key }
            return nil
        }
    }

    /// Looks the request up, counting the result; nil when the cache is off. Not inlined into the request's
    /// handler: a stream keeps that handler's context for its whole life.
    @inline(never)
    func lookUpCache(_ request: ChatCompletionRequest, headers: HTTPFields, scope: RequestScope) async -> CacheLookup? {
        // The cache holds OpenAI bytes, whatever the client's dialect: a hit is rendered in it (serveCached).
        guard let cache else { return nil }
        // A Responses request a deployment may take as it is: its chat body leaves out what only that deployment
        // reads (fields the gateway does not model, the provider-side conversation), so it is no key.
        guard !ResponseCache.bypassed(headers), scope.dialect.passthrough == nil, let key = cache.key(request.body, client: scope.clientName)
        else {
            cache.count(.bypass)
            scope.outcome.update { $0.cache = .bypass }
            return .miss(key: nil)
        }
        if let answer = await cache.lookup(key) {
            cache.count(.hit)
            scope.outcome.update { $0.cache = .hit }
            return .hit(answer)
        }
        cache.count(.miss)
        scope.outcome.update { $0.cache = .miss }
        return .miss(key: key)
    }

    /// Answers from the cache with the stored bytes, in the client's dialect: a JSON completion, or the stream
    /// replayed as SSE (re-encoded for Anthropic and Responses clients, as a live stream would be).
    @inline(never)
    func serveCached(_ answer: ByteBuffer, stream: Bool, scope: RequestScope, slot: WriterSlot) async throws {
        guard stream else {
            let rendered: ByteBuffer
            do {
                rendered = try await scope.dialect.render(answer)
            } catch {
                return try await ResponseWriting.fail(error, scope: scope, slot: slot)
            }
            guard let writer = slot.take() else { return }
            return try await ResponseWriting.json(rendered, extraHeaders: scope.responseHeaders(), outcome: scope.outcome, to: writer)
        }
        var events = answer
        if var translator = scope.dialect.streamTranslator() {
            do {
                events = try translator.translate(answer)
                var tail = try translator.finish()
                events.writeBuffer(&tail)
            } catch {
                return try await ResponseWriting.fail(error, scope: scope, slot: slot)
            }
            if let work = translator.takeFollowUp() { await work() }
        }
        guard let writer = slot.take() else { return }
        var headers = scope.responseHeaders()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        scope.outcome.record(status: 200)
        let body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: headers))
        try await body.write(events)
        try await body.finish()
    }
}
