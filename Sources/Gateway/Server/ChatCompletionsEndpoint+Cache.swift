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

    /// Looks the request up, counting the result; nil when the cache is off.
    func lookUpCache(_ request: ChatCompletionRequest, headers: HTTPFields, scope: RequestScope) async -> CacheLookup? {
        // The cache holds OpenAI bytes; other dialects' answers are not cached.
        guard let cache, case .openAI = scope.dialect else { return nil }
        guard !ResponseCache.bypassed(headers), let key = cache.key(request.body, client: scope.clientName) else {
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

    /// Answers from the cache with the stored bytes: a JSON completion, or the stream replayed as SSE.
    func serveCached(_ answer: ByteBuffer, stream: Bool, scope: RequestScope, slot: WriterSlot) async throws {
        guard let writer = slot.take() else { return }
        var headers = scope.responseHeaders()
        guard stream else {
            return try await ResponseWriting.json(answer, extraHeaders: headers, outcome: scope.outcome, to: writer)
        }
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        scope.outcome.record(status: 200)
        let body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: headers))
        try await body.write(answer)
        try await body.finish()
    }
}
