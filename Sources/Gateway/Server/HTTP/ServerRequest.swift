import HTTPTypes
import NIOCore

/// One request as the server hands it to a responder: its head, and its body, which may still be arriving.
struct ServerRequest: Sendable {
    let head: HTTPRequest
    /// The request target's path, without the query.
    let path: String
    let body: RequestBody
    /// The connection it arrived on.
    let channel: any Channel

    var method: HTTPRequest.Method { head.method }
    var headers: HTTPFields { head.headerFields }

    init(head: HTTPRequest, body: RequestBody, channel: any Channel) {
        self.head = head
        let target = head.path ?? "/"
        path = target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
        self.body = body
        self.channel = channel
    }
}

/// A request body collected on its connection's event loop, up to a byte limit.
///
/// The connection handler appends what the codec reads and finishes it at the request's end; the
/// responder awaits it whole. Bytes past the limit are dropped as they arrive (the request is refused
/// with 413 anyway), so a client cannot make the gateway hold more than the limit. All state is touched
/// on the event loop only.
final class RequestBody: @unchecked Sendable {
    /// The body passed the limit; what was read past it was dropped.
    struct TooLarge: Error {}

    private let eventLoop: any EventLoop
    private let limit: Int
    private var bytes: ByteBuffer?
    private var result: Result<ByteBuffer, any Error>?
    private var waiter: EventLoopPromise<ByteBuffer>?

    init(eventLoop: any EventLoop, limit: Int) {
        self.eventLoop = eventLoop
        self.limit = limit
    }

    /// The whole body, once it has arrived; throws ``TooLarge`` past the limit, or the connection's error.
    func collect() async throws -> ByteBuffer {
        if eventLoop.inEventLoop {
            if let result { return try result.get() }
            return try await promise().futureResult.get()
        }
        return try await eventLoop.flatSubmit { [self] in
            if let result { return eventLoop.makeCompletedFuture(result) }
            return promise().futureResult
        }.get()
    }

    private func promise() -> EventLoopPromise<ByteBuffer> {
        if let waiter { return waiter }
        let promise = eventLoop.makePromise(of: ByteBuffer.self)
        waiter = promise
        return promise
    }

    func append(_ part: ByteBuffer) {
        guard result == nil else { return }
        let total = (bytes?.readableBytes ?? 0).addingReportingOverflow(part.readableBytes)
        guard !total.overflow, total.partialValue <= limit else { return complete(.failure(TooLarge())) }
        if bytes == nil {
            bytes = part
        } else {
            bytes!.writeImmutableBuffer(part)
        }
    }

    func finish() {
        guard let body = bytes else { return complete(.success(ByteBuffer())) }
        // A body that came in one read is a view into the connection's read buffer, which it would keep alive
        // (and from being reused) for the whole request, a long stream included: a small one gets its own bytes.
        guard body.readableBytes <= Self.copiedBodyBytes else { return complete(.success(body)) }
        var own = ByteBufferAllocator().buffer(capacity: body.readableBytes)
        own.writeImmutableBuffer(body)
        complete(.success(own))
    }

    /// Bodies up to this size are copied out of the read buffer they arrived in.
    static let copiedBodyBytes = 16 * 1024

    /// The connection closed before the body was complete.
    func fail(_ error: any Error) {
        complete(.failure(error))
    }

    private func complete(_ outcome: Result<ByteBuffer, any Error>) {
        guard result == nil else { return }
        result = outcome
        bytes = nil
        waiter?.completeWith(outcome)
        waiter = nil
    }
}
