import NIOCore
import Synchronization

/// The byte stream of an upstream body. Iterating it is what reads from the network;
/// cancelling the iterating task cancels the upstream request.
///
/// Its chunks come from a ``ChunkSource`` object rather than a closure: the source's `next()` runs in its
/// caller's isolation (the request's event loop), and so does the base iterator's, through
/// `next(isolation:)` — a chunk does not cost two executor hops per layer of stream.
public struct UpstreamBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    private let makeSource: @Sendable () -> any ChunkSource
    /// The whole body, when it was all in before the response was handed over.
    private let whole: ByteBuffer?

    /// Wraps any sendable byte-buffer sequence.
    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == ByteBuffer {
        whole = nil
        makeSource = { IteratorBox(base.makeAsyncIterator()) }
    }

    /// A pooled connection's body, read as it arrives.
    init(reading body: PooledBody) {
        whole = nil
        let reader = PooledBodyReader(body)
        makeSource = { reader }
    }

    /// A body that is already complete: iterating yields it once (nothing when empty); collecting it waits
    /// for nothing.
    public init(whole body: ByteBuffer) {
        whole = body
        makeSource = { WholeBody(body) }
    }

    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let source: any ChunkSource

        public mutating func next() async throws -> ByteBuffer? { try await source.next() }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? {
            try await source.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: makeSource()) }

    /// Reads the whole body, failing once it exceeds `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        if let whole {
            guard whole.readableBytes <= limit else {
                throw GatewayError.invalidUpstreamResponse("response body exceeds \(limit) bytes")
            }
            return whole
        }
        var collected = ByteBuffer()
        for try await var chunk in self {
            guard collected.readableBytes + chunk.readableBytes <= limit else {
                throw GatewayError.invalidUpstreamResponse("response body exceeds \(limit) bytes")
            }
            collected.writeBuffer(&chunk)
        }
        return collected
    }
}

/// Where an ``UpstreamBody``'s chunks come from; advanced only by the one task reading the body.
public protocol ChunkSource: AnyObject, Sendable {
    /// The next chunk, or nil at the end.
    func next() async throws -> ByteBuffer?
}

/// A complete body handed out once.
private final class WholeBody: ChunkSource {
    private let body: Mutex<ByteBuffer?>
    init(_ body: ByteBuffer) { self.body = Mutex(body.readableBytes > 0 ? body : nil) }
    func next() async throws -> ByteBuffer? { body.withLock { $0.take() } }
}

/// Holds an iterator that is only ever advanced by the one task reading the body.
private final class IteratorBox<Base: AsyncIteratorProtocol>: ChunkSource, @unchecked Sendable where Base.Element == ByteBuffer {
    private var base: Base
    init(_ base: Base) { self.base = base }
    func next() async throws -> ByteBuffer? { try await base.next(isolation: #isolation) }
}
