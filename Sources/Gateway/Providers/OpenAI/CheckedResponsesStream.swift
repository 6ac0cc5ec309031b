import NIOCore

/// Watches a Responses API event stream as it passes through untouched: the shared ``SSEReader`` frames the
/// events, and only the lifecycle events are decoded — `response.created` for the id and model,
/// `response.completed` or `response.incomplete` for the usage, `response.failed` and `error` as the
/// stream's error. A stream that closes before one of those ends is not a complete answer.
struct ResponsesStreamWatcher: Sendable {
    private(set) var summary = ResponseSummary()
    private(set) var ended = false
    private var reader = SSEReader()

    /// Reads `chunk`; whether what the stream says about itself changed.
    mutating func observe(_ chunk: ByteBuffer) throws(GatewayError) -> Bool {
        var changed = false
        for event in try reader.read(chunk) { changed = try inspect(event) || changed }
        return changed
    }

    /// The upstream closed: a last event it did not end with a blank line still counts.
    mutating func close() throws(GatewayError) {
        if let last = try reader.close() { _ = try inspect(last) }
        guard ended else { throw GatewayError.invalidUpstreamResponse("the stream ended before response.completed") }
    }

    private mutating func inspect(_ event: SSEEvent) throws(GatewayError) -> Bool {
        switch event.name {
        case "response.created":
            summary.merge(try Self.response(of: event).summary)
        case "response.completed", "response.incomplete":
            summary.merge(try Self.response(of: event).summary)
            ended = true
        case "response.failed", "error":
            summary.streamError = summary.streamError ?? UpstreamErrors.streamEvent(event.data)
            ended = true
        default:
            return false
        }
        return true
    }

    private static func response(of event: SSEEvent) throws(GatewayError) -> ResponsesAnswerWire {
        try WireJSON.decode(ResponsesAnswerWire.Event.self, from: event.data, expected: "a Responses API \(event.name ?? "event")").response
    }
}

/// A passed-through Responses API stream: its chunks as they arrive, watched by ``ResponsesStreamWatcher``,
/// whose summary is recorded as soon as it changes — the first event is read before the relay starts, and the
/// gateway notes which deployment holds the response before the client can continue it.
struct CheckedResponsesStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: UpstreamBody
    let summary: StreamSummary

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: UpstreamBody.AsyncIterator
        let summary: StreamSummary
        var watcher = ResponsesStreamWatcher()

        /// In the caller's isolation: the relay reading this stream does not hop per event.
        mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? { try await next() }

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else {
                defer { summary.record(watcher.summary) }
                try watcher.close()
                return nil
            }
            if try watcher.observe(chunk) { summary.record(watcher.summary) }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), summary: summary) }
}
