import NIOCore
import Telemetry

/// A stream whose first event has arrived: from here on it is relayed, never retried. It hands out the
/// events and records how the stream ended — success with its usage and pacing, or the failure — on the
/// route, its metrics and the attempt's span.
///
/// A class, owned by the one task that relays the stream (its state is only touched there): the relay's
/// async frames hold a reference for the stream's whole life instead of copies of its ~350 bytes.
final class StartedStream: @unchecked Sendable {
    /// What the attempt that opened the stream hands back.
    struct Opened: Sendable {
        var stream: ProviderStream
        var events: UpstreamBody.AsyncIterator
        var first: ByteBuffer?
        var started: ContinuousClock.Instant
        var attempt: AttemptSpan
    }

    let route: Route
    /// Attempts made, this one included.
    let attempts: Int
    private let stream: ProviderStream
    private var events: UpstreamBody.AsyncIterator
    private var first: ByteBuffer?
    private let started: ContinuousClock.Instant
    /// Time from the attempt's start to its first event.
    let firstChunk: Duration
    private let attempt: AttemptSpan
    private let trace: TraceContext

    init(_ opened: Opened, route: Route, attempts: Int, trace: TraceContext) {
        self.route = route
        self.attempts = attempts
        self.stream = opened.stream
        self.events = opened.events
        self.first = opened.first
        self.started = opened.started
        self.firstChunk = .now - opened.started
        self.attempt = opened.attempt
        self.trace = trace
    }

    /// What the stream said about itself so far (all of it once it has ended).
    var summary: ResponseSummary { stream.summary.value }
    /// The API the events are in.
    var format: AnswerFormat { stream.format }

    /// The next event (the first one first); nil at the end. Failures are ``GatewayError``s.
    func next() async throws(GatewayError) -> ByteBuffer? {
        if let first {
            self.first = nil
            return first
        }
        return try await Self.next(&events)
    }

    /// The stream ended as its protocol says: its usage and pacing are recorded.
    func finished() {
        let total = ContinuousClock.now - started
        let usage = stream.summary.usage
        route.recordSuccess(.chat, duration: total, usage: usage, trace: trace)
        route.metrics.recordStreamTiming(firstChunk: firstChunk, total: total, outputTokens: usage?.completionTokens, trace: trace)
        attempt.finish(route: route, operation: .chat, stream: true, summary: stream.summary.value, firstChunk: firstChunk, error: nil)
    }

    /// The stream did not end in a complete answer (a transport failure, or the upstream's error event).
    func failed(_ error: GatewayError) {
        route.recordFailure(.chat, error, duration: .now - started, trace: trace)
        attempt.finish(route: route, operation: .chat, stream: true, summary: stream.summary.value, firstChunk: firstChunk, error: error)
    }

    static func next(_ events: inout UpstreamBody.AsyncIterator) async throws(GatewayError) -> ByteBuffer? {
        do {
            return try await events.next()
        } catch {
            throw UpstreamErrors.transport(error)
        }
    }
}
