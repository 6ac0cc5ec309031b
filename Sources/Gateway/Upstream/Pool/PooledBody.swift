import NIOCore

/// The body of a pooled response while it arrives: ``ExchangeHandler`` pushes chunks in on its connection's
/// event loop, the one task reading the body takes them out.
///
/// Single producer, single consumer, everything on one event loop: a chunk that is already here is handed
/// over without suspending, and a reader that waits is resumed straight from the handler's read, so a streamed
/// event costs at most one executor job (NIO's general-purpose async sequence took about nine). Back-pressure
/// works by watermarks: at ``highWatermark`` chunks held the producer is told to stop reading the socket,
/// and once the reader has taken them down to ``lowWatermark`` it is asked for more.
final class PooledBody: @unchecked Sendable {
    /// At this many chunks held, ``yield(_:)`` says stop.
    static let highWatermark = 8
    /// At this many chunks held after a take, a stopped producer is asked for more.
    static let lowWatermark = 2

    /// What the body says to its producer (the handler), on the event loop.
    struct Demand {
        /// The reader took enough: reading may resume.
        var produceMore: () -> Void
        /// The reader is gone (cancelled, or dropped the body) before the end.
        var terminated: () -> Void
    }

    let eventLoop: any EventLoop
    private let demand: Demand
    // All below is touched on `eventLoop` only.
    private var chunks = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    /// Set once the producer ended the body (nil error) or it failed; read after the chunks held.
    private var end: (any Error)??
    /// The reader waiting for a chunk. Unsafe (no allocation per wait): every step that resumes it takes it
    /// out first, on the event loop, so it is resumed exactly once.
    private var waiter: UnsafeContinuation<ByteBuffer?, any Error>?
    private var stopped = false
    private var terminated = false

    init(eventLoop: any EventLoop, demand: Demand) {
        self.eventLoop = eventLoop
        self.demand = demand
    }

    // MARK: The producer (the handler, on the event loop)

    /// Hands `chunk` to the reader; false when the producer should stop reading until asked.
    func yield(_ chunk: ByteBuffer) -> Bool {
        eventLoop.preconditionInEventLoop()
        guard end == nil, !terminated else { return true }
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: chunk)
            return true
        }
        chunks.append(chunk)
        if chunks.count >= Self.highWatermark { stopped = true }
        return !stopped
    }

    /// Ends the body: the reader gets what is held, then the end (nil) or `error`.
    func finish(_ error: (any Error)? = nil) {
        eventLoop.preconditionInEventLoop()
        guard end == nil else { return }
        end = .some(error)
        if let waiter, let ready = take() {
            self.waiter = nil
            waiter.resume(with: ready)
        }
    }

    // MARK: The reader

    /// The next chunk, or nil at the end. Called by one task at a time; cancelling it ends the body.
    func next(isolation: isolated (any Actor)? = #isolation) async throws -> ByteBuffer? {
        if eventLoop.inEventLoop, let ready = take() { return try ready.get() }
        // The wait runs in the caller's isolation (the closure captures it): no hop to the generic executor
        // and back around it.
        return try await withTaskCancellationHandler {
            _ = isolation
            return try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<ByteBuffer?, any Error>) in
                if eventLoop.inEventLoop {
                    wait(continuation)
                } else {
                    eventLoop.execute { self.wait(continuation) }
                }
            }
        } onCancel: {
            eventLoop.execute { self.readerGone(CancellationError()) }
        }
    }

    /// The reader let go of the body (before its end, the exchange cannot finish).
    func released() {
        if eventLoop.inEventLoop {
            readerGone(nil)
        } else {
            eventLoop.execute { self.readerGone(nil) }
        }
    }

    private func wait(_ continuation: UnsafeContinuation<ByteBuffer?, any Error>) {
        if let ready = take() { return continuation.resume(with: ready) }
        waiter = continuation
    }

    /// A held chunk, else the end once it came, else nil (nothing yet).
    private func take() -> Result<ByteBuffer?, any Error>? {
        if let chunk = chunks.popFirst() {
            if stopped, chunks.count <= Self.lowWatermark, end == nil {
                stopped = false
                demand.produceMore()
            }
            return .success(chunk)
        }
        switch end {
        case .none: return nil
        case .some(.none): return .success(nil)
        case .some(.some(let error)): return .failure(error)
        }
    }

    private func readerGone(_ error: (any Error)?) {
        if let error {
            if let waiter {
                self.waiter = nil
                waiter.resume(throwing: error)
            }
            chunks.removeAll()
            if end == nil { end = .some(error) }
        }
        guard !terminated else { return }
        terminated = true
        demand.terminated()
    }
}

/// The reader's handle on a ``PooledBody``: when the reader drops it, the body hears that nobody reads it.
final class PooledBodyReader: ChunkSource {
    private let body: PooledBody

    init(_ body: PooledBody) { self.body = body }

    deinit { body.released() }

    func next() async throws -> ByteBuffer? { try await body.next() }
}
