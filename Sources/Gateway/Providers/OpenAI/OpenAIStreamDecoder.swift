import NIOCore

/// Watches an OpenAI SSE stream as it passes through, without re-encoding it: the shared ``SSEReader``
/// frames the events (any line ending), the decoder notices the closing `data: [DONE]` and an `error`
/// event, and decodes only the chunks telemetry needs — the first (id, model), those with a finish reason,
/// and the one carrying `usage`. A chunk it decodes that is not a `chat.completion.chunk` is malformed.
struct OpenAIStreamDecoder: Sendable {
    private(set) var sawDone = false
    private(set) var summary = ResponseSummary()
    var usage: TokenUsage? { summary.usage }
    private var sawFirstChunk = false
    /// Usage-only chunks (``isUsageOnly(_:)``) seen so far, counted while inspecting: the relay that strips them
    /// re-reads a chunk's events only when this moved.
    private(set) var usageOnlyChunks = 0
    /// An `error` event sent by the upstream inside the stream.
    var sawError: Bool { summary.endedInError }
    private var reader = SSEReader()
    /// Bytes observed after the last complete event (held back by a relay until their event completes).
    var bytesSinceBoundary: Int { reader.bytesSinceBoundary }

    /// Reads `chunk`; returns the events it completed.
    @discardableResult
    mutating func observe(_ chunk: ByteBuffer) throws(GatewayError) -> [SSEEvent] {
        let events = try reader.read(chunk)
        for event in events { try inspect(event) }
        return events
    }

    /// The upstream closed: a last event it did not end with a blank line still counts.
    mutating func close() throws(GatewayError) {
        if let last = try reader.close() { try inspect(last) }
    }

    private static let usageKey = Array(#""usage""#.utf8)
    private static let finishKey = Array(#""finish_reason""#.utf8)
    private static let errorKey = Array(#"{"error""#.utf8)

    private mutating func inspect(_ event: SSEEvent) throws(GatewayError) {
        let payload = event.data
        if event.dataEquals("[DONE]") {
            sawDone = true
        } else if Self.isError(event) {
            summary.streamError = summary.streamError ?? UpstreamErrors.streamEvent(payload)
        } else {
            let hasUsage = Self.has(payload, Self.usageKey, startingWith: UInt8(ascii: "{"))
            if hasUsage && Self.hasNoChoices(payload) { usageOnlyChunks += 1 }
            if !sawFirstChunk || hasUsage || Self.has(payload, Self.finishKey, startingWith: UInt8(ascii: "\"")) {
                sawFirstChunk = true
                summary.merge(try ResponseSummary.scan(payload, expected: "a chat.completion.chunk"))
            }
        }
    }

    /// An upstream's error event: `data: {"error": …}`, or an event named `error`.
    static func isError(_ event: SSEEvent) -> Bool {
        event.data.starts(with: errorKey) || event.name == "error"
    }

    /// Whether `payload` holds `key` with a value starting with `first` (`"usage": {`, not `"usage":null`),
    /// whatever whitespace the upstream's JSON puts around the colon. Chunks that only say null are not decoded.
    static func has(_ payload: [UInt8], _ key: [UInt8], startingWith first: UInt8) -> Bool {
        guard let position = valueStart(payload, key) else { return false }
        return payload[position] == first
    }

    private static let choicesKey = Array(#""choices""#.utf8)

    /// The chunk `stream_options.include_usage` adds at the end: usage, and no choices (`"choices": []`). A chunk
    /// that carries usage beside its choices (some compatible servers do) is not one: it holds content.
    static func isUsageOnly(_ event: SSEEvent) -> Bool {
        has(event.data, usageKey, startingWith: UInt8(ascii: "{")) && hasNoChoices(event.data)
    }

    /// Whether `payload`'s `choices` is an empty array.
    private static func hasNoChoices(_ payload: [UInt8]) -> Bool {
        guard let open = valueStart(payload, choicesKey), payload[open] == UInt8(ascii: "[") else { return false }
        return payload[(open + 1)...].first { !JSONScanner.isWhitespace($0) } == UInt8(ascii: "]")
    }

    /// Where the value of the first `key` followed by a colon starts (past any whitespace), if in `payload`.
    private static func valueStart(_ payload: [UInt8], _ key: [UInt8]) -> Int? {
        guard let keyFirst = key.first else { return nil }
        var index = payload.startIndex
        while let found = payload[index...].firstIndex(of: keyFirst) {
            index = payload.index(after: found)
            guard payload[found...].starts(with: key) else { continue }
            var position = found + key.count
            while position < payload.endIndex && JSONScanner.isWhitespace(payload[position]) { position += 1 }
            guard position < payload.endIndex, payload[position] == UInt8(ascii: ":") else { continue }
            position += 1
            while position < payload.endIndex && JSONScanner.isWhitespace(payload[position]) { position += 1 }
            if position < payload.endIndex { return position }
        }
        return nil
    }
}

/// A pass-through OpenAI stream: the upstream's bytes, relayed without re-encoding but only as whole events —
/// the bytes of an unfinished event wait for the rest, so a client never receives half an event and an
/// oversized or malformed one fails before any of it is sent. Fails, instead of ending quietly, when the
/// upstream closes before `data: [DONE]`: a truncated answer must never look like a complete one.
struct CheckedOpenAIStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: UpstreamBody
    /// Receives what the stream said about itself, when it ends.
    let summary: StreamSummary
    /// The gateway asked for usage and the client did not: the usage chunk is counted, not relayed.
    var stripsUsage = false

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: UpstreamBody.AsyncIterator
        let summary: StreamSummary
        let stripsUsage: Bool
        var decoder = OpenAIStreamDecoder()
        /// The start of an event whose end has not arrived yet.
        var held = ByteBuffer()

        /// In the caller's isolation: the relay reading this stream does not hop per event.
        mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? { try await next() }

        mutating func next() async throws -> ByteBuffer? {
            while true {
                guard var chunk = try await base.next() else { return try end() }
                let events: [SSEEvent]
                let usageOnlyBefore = decoder.usageOnlyChunks
                do {
                    events = try decoder.observe(chunk)
                } catch {
                    summary.record(decoder.summary)
                    throw error
                }
                let keep = decoder.bytesSinceBoundary
                var out: ByteBuffer
                if held.readableBytes == 0 {
                    out = chunk.readSlice(length: chunk.readableBytes - Swift.min(keep, chunk.readableBytes))!
                    held = chunk
                } else {
                    held.writeBuffer(&chunk)
                    out = held.readSlice(length: held.readableBytes - Swift.min(keep, held.readableBytes))!
                    held.discardReadBytes()
                }
                let error = decoder.summary.streamError.flatMap { error in events.contains(where: OpenAIStreamDecoder.isError) ? error : nil }
                if error != nil || (stripsUsage && decoder.usageOnlyChunks > usageOnlyBefore) {
                    out = rewritten(events, error: error)
                }
                if out.readableBytes > 0 { return out }
            }
        }

        /// The events of a chunk re-encoded: the upstream's error event replaced by the gateway's own (the
        /// upstream's text may name hosts or keys; it goes to the log instead), the usage chunk left out when the
        /// client did not ask for it. Other chunks pass as bytes and never come here.
        private func rewritten(_ events: [SSEEvent], error: GatewayError?) -> ByteBuffer {
            var out = ByteBuffer()
            for event in events {
                if let error, OpenAIStreamDecoder.isError(event) {
                    out.writeImmutableBuffer(OpenAIErrorBody.sseEvent(for: error))
                } else if !(stripsUsage && OpenAIStreamDecoder.isUsageOnly(event)) {
                    SSEWriter.write(name: event.name, data: event.data, into: &out)
                }
            }
            return out
        }

        /// The upstream closed: what was held is relayed (a last event without its blank line counts).
        private mutating func end() throws -> ByteBuffer? {
            defer { summary.record(decoder.summary) }
            try decoder.close()
            if !decoder.sawDone && !decoder.sawError {
                throw GatewayError.invalidUpstreamResponse("the stream ended before data: [DONE]")
            }
            guard held.readableBytes > 0 else { return nil }
            defer { held = ByteBuffer() }
            return held
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), summary: summary, stripsUsage: stripsUsage) }
}
