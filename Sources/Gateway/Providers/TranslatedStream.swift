import NIOCore

/// Turns one provider's streamed bytes into OpenAI SSE events, keeping what the stream said about itself.
protocol ProviderStreamDecoder: Sendable {
    /// The provider's own end-of-stream arrived (or an error event ended it): nothing more is read.
    var isFinished: Bool { get }
    var summary: ResponseSummary { get }
    /// The OpenAI events for `chunk` (empty until a whole provider event has arrived).
    mutating func decode(_ chunk: ByteBuffer) throws(GatewayError) -> ByteBuffer
    /// The upstream closed before ``isFinished``: the closing events when that is how this provider ends a
    /// stream, or the error saying the stream was cut.
    mutating func finish() throws(GatewayError) -> ByteBuffer
}

/// A provider's stream relayed as OpenAI events through its ``ProviderStreamDecoder``; the summary is
/// recorded once the stream is over, however it ended.
struct TranslatedStream<Decoder: ProviderStreamDecoder>: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: UpstreamBody
    let decoder: Decoder
    let summary: StreamSummary

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: UpstreamBody.AsyncIterator
        var decoder: Decoder
        let summary: StreamSummary
        var done = false

        /// In the caller's isolation: the relay reading this stream does not hop per event.
        mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? { try await next() }

        mutating func next() async throws -> ByteBuffer? {
            while !done {
                guard let chunk = try await base.next() else {
                    done = true
                    defer { summary.record(decoder.summary) }
                    let tail = try decoder.finish()
                    return tail.readableBytes > 0 ? tail : nil
                }
                let events = try decoder.decode(chunk)
                if decoder.isFinished {
                    done = true
                    summary.record(decoder.summary)
                }
                if events.readableBytes > 0 { return events }
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), decoder: decoder, summary: summary)
    }
}
