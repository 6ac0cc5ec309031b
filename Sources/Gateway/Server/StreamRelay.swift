import HTTPTypes
import Logging
import NIOCore

/// Relays a started stream to its client: each upstream event as it arrives (re-encoded for clients of
/// another API, the upstream's own bytes for OpenAI clients), then records how the stream ended — its usage,
/// the cache entry, or the failure — and ends the response.
///
/// The loop is the only part that waits; what happens once (the response head, the end, a failure) is
/// plain synchronous code, so a stream that lasts minutes holds a small async frame.
struct StreamRelay {
    let stream: StartedStream
    let scope: RequestScope
    let provider: String
    /// Where the whole stream goes, for the cache; nil when the cache is off for this request.
    let fill: CacheFill?

    /// The head of a streamed answer.
    @inline(never)
    static func head(scope: RequestScope, provider: String, attempts: Int) -> HTTPResponse {
        var headers = scope.responseHeaders(provider: provider, attempts: attempts)
        // The scope's headers never hold these names: appended, not assigned.
        headers.append(HTTPField(name: .contentType, value: "text/event-stream"))
        headers.append(HTTPField(name: .cacheControl, value: "no-cache"))
        headers.append(HTTPField(name: accelBuffering, value: "no"))
        return HTTPResponse(status: .ok, headerFields: headers)
    }

    private static let accelBuffering = HTTPField.Name("x-accel-buffering")!

    func run(to body: ClientBodyWriter) async throws {
        let passedThrough = stream.format == .responses
        // A passed-through Responses stream is already in the client's API; where it is stored is noted before
        // its first event leaves (that event named the response), so the client can continue it at once.
        if passedThrough { await notePassedThrough() }
        var translator = passedThrough ? nil : scope.dialect.streamTranslator()
        let keeps = !passedThrough && fill != nil
        do {
            let kept: ByteBuffer?
            if translator == nil {
                kept = try await relay(to: body, keeping: keeps)
            } else {
                kept = try await relayTranslated(&translator!, to: body, keeping: keeps)
            }
            ended(kept: kept)
        } catch let error as GatewayError where error != .cancelled {
            failed(error, "stream failed after it started")
            try await body.write(errorEvent(error, translator: translator))
        }
        try await body.finish()
    }

    // The two loops are functions of their own, never inlined: an async function's context holds what any of
    // its paths keeps across an await, and a stream keeps its relay's contexts for its whole life — each loop's
    // context holds only what that loop needs.

    /// Relays the upstream's events as they are; what the cache gets, when `keeping`.
    @inline(never)
    private func relay(to body: ClientBodyWriter, keeping: Bool) async throws -> ByteBuffer? {
        var kept = keeping ? ByteBuffer() : nil
        while let event = try await stream.next() {
            try await body.write(event)
            keep(event, in: &kept)
        }
        return kept
    }

    /// Relays the events re-encoded by `translator`, doing its follow-up work before the events it holds back.
    @inline(never)
    private func relayTranslated(_ translator: inout any StreamTranslator, to body: ClientBodyWriter, keeping: Bool) async throws -> ByteBuffer? {
        var kept = keeping ? ByteBuffer() : nil
        while let event = try await stream.next() {
            let out = try translator.translate(event)
            if let work = translator.takeFollowUp() { await work() }
            if out.readableBytes > 0 { try await body.write(out) }
            keep(event, in: &kept)
        }
        let tail = try translator.finish()
        if let work = translator.takeFollowUp() { await work() }
        if tail.readableBytes > 0 { try await body.write(tail) }
        return kept
    }

    /// The event that tells the client the stream failed, in its API.
    @inline(never)
    private func errorEvent(_ error: GatewayError, translator: (any StreamTranslator)?) -> ByteBuffer {
        translator?.error(error, requestID: scope.requestID, provider: provider)
            ?? OpenAIErrorBody.sseEvent(for: error, requestID: scope.requestID, provider: provider)
    }

    /// Where the passed-through stream's response is stored. Not inlined: ``run(to:)``'s context lives as long
    /// as the stream, and would hold what the store's calls keep across their awaits.
    @inline(never)
    private func notePassedThrough() async {
        await scope.dialect.passedThrough(id: stream.summary.id, route: stream.route)
    }

    /// Adds `event` to what the cache gets, while the stream is within the entry bound.
    private func keep(_ event: ByteBuffer, in kept: inout ByteBuffer?) {
        guard let limit = fill?.cache.maxEntryBytes, kept != nil else { return }
        kept!.writeImmutableBuffer(event)
        if kept!.readableBytes > limit { kept = nil }
    }

    /// The upstream ended the stream: complete, or with an error event (relayed sanitised; its text is logged).
    @inline(never)
    private func ended(kept: ByteBuffer?) {
        if let upstreamError = stream.summary.streamError {
            return failed(upstreamError, "upstream ended the stream with an error event")
        }
        if let fill {
            if let kept { fill.cache.store(fill.key, kept) } else { fill.cache.skip(.tooLarge) }
        }
        let usage = stream.summary.usage
        let cost = scope.cost(of: usage, route: stream.route)
        scope.outcome.update {
            $0.usage = usage
            $0.cost = cost
        }
        stream.finished()
    }

    /// Records a stream that did not end in a complete answer.
    @inline(never)
    private func failed(_ error: GatewayError, _ message: Logger.Message) {
        fill?.cache.skip(.incomplete)
        stream.failed(error)
        scope.outcome.update { $0.errorType = error.errorTypeLabel }
        scope.logger.warning(message, metadata: ["error": "\(error.logDetail)", "provider": "\(provider)"])
    }
}
