import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP request to an upstream provider, already in that provider's wire format.
public struct UpstreamRequest: Sendable {
    public var url: String
    public var method: HTTPMethod
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// Time allowed until the response head and the first byte of its body arrive (for a stream, its
    /// first event).
    public var timeout: Duration
    /// Time allowed for the whole exchange, body included (checked as each chunk arrives).
    public var totalTimeout: Duration

    public init(
        url: String,
        method: HTTPMethod = .POST,
        headers: HTTPHeaders,
        body: ByteBuffer,
        timeout: Duration,
        totalTimeout: Duration? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.totalTimeout = totalTimeout ?? timeout
    }
}

/// An upstream's answer: status and head now, body as it arrives.
public struct UpstreamResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: UpstreamBody

    public init(status: Int, headers: HTTPHeaders, body: UpstreamBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The byte stream of an upstream body. Iterating it is what reads from the network;
/// cancelling the iterating task cancels the upstream request.
public struct UpstreamBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    private let makeNext: @Sendable () -> (nonisolated(nonsending) @Sendable () async throws -> ByteBuffer?)
    /// The whole body, when it was all in before the response was handed over.
    private let whole: ByteBuffer?

    /// Wraps any sendable byte-buffer sequence.
    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == ByteBuffer {
        whole = nil
        makeNext = {
            let iterator = IteratorBox(base.makeAsyncIterator())
            return { try await iterator.next() }
        }
    }

    /// A body that is already complete: iterating yields it once (nothing when empty); collecting it waits
    /// for nothing.
    public init(whole body: ByteBuffer) {
        whole = body
        makeNext = {
            let remaining = WholeBody(body)
            return { remaining.take() }
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let next: nonisolated(nonsending) @Sendable () async throws -> ByteBuffer?
        public mutating func next() async throws -> ByteBuffer? { try await next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(next: makeNext()) }

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

/// A complete body handed out once.
private final class WholeBody: Sendable {
    private let body: Mutex<ByteBuffer?>
    init(_ body: ByteBuffer) { self.body = Mutex(body.readableBytes > 0 ? body : nil) }
    func take() -> ByteBuffer? { body.withLock { $0.take() } }
}

/// Holds an iterator that is only ever advanced by the one task reading the body.
private final class IteratorBox<Base: AsyncIteratorProtocol>: @unchecked Sendable where Base.Element == ByteBuffer {
    private var base: Base
    init(_ base: Base) { self.base = base }
    func next() async throws -> ByteBuffer? { try await base.next() }
}

/// The seam between the gateway and the network: ``PooledTransport`` in production, in-process
/// fakes in tests. Implementations throw ``GatewayError``.
public protocol UpstreamTransport: Sendable {
    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse
    /// Releases connections; called once at shutdown.
    func shutdown() async throws
}
