import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Serves one connection: starts a task per request when its head arrives, feeds it the body, and writes
/// what the responder sends straight into the pipeline from the connection's event loop.
///
/// NIO's pipelining helper (before this handler) holds back a pipelined request until the previous
/// response has ended, so at most one request is answered at a time. A response the responder leaves
/// unfinished (it threw, or was cancelled) cannot be completed on the wire: the connection is closed.
/// State is touched on the event loop only.
final class HTTPConnectionHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    typealias Responder = nonisolated(nonsending) @Sendable (ServerRequest, consuming ClientResponseWriter) async throws -> Void

    /// One request and its response's progress.
    final class Exchange: @unchecked Sendable {
        let keepAlive: Bool
        var ended = false

        init(keepAlive: Bool) {
            self.keepAlive = keepAlive
        }
    }

    private let responder: Responder
    private let bodyLimit: Int
    private let logger: Logger
    private let eventLoop: any EventLoop
    /// The connection's requests run isolated to its event loop.
    private let isolation: EventLoopIsolation
    private var context: ChannelHandlerContext?
    private var active = true
    /// The body of the request being read, until its end.
    private var body: RequestBody?
    /// The exchange being answered, until its responder returns.
    private var current: Exchange?
    /// The client closed its sending side: the connection closes after the current answer.
    private var inputClosed = false
    /// Completed when the connection can take more bytes (a write found its send buffer full).
    private var writable: EventLoopPromise<Void>?
    /// A response that closes the connection went out before its request's body was all read: the output
    /// is shut and the rest is read and dropped until the body ends (closing at once would make the kernel
    /// reset the connection, and the client could lose the response).
    private var closeAtRequestEnd = false

    init(eventLoop: any EventLoop, bodyLimit: Int, logger: Logger, responder: @escaping Responder) {
        self.eventLoop = eventLoop
        self.isolation = EventLoopIsolation(eventLoop: eventLoop)
        self.bodyLimit = bodyLimit
        self.logger = logger
        self.responder = responder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closed()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            start(head, context: context)
        case .body(let part):
            body?.append(part)
        case .end:
            body?.finish()
            body = nil
            if closeAtRequestEnd { context.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            body?.fail(ChannelError.inputClosed)
            body = nil
            if current == nil || closeAtRequestEnd { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let writable {
            self.writable = nil
            writable.succeed()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed()
        context.fireChannelInactive()
    }

    private func closed() {
        active = false
        body?.fail(ChannelError.ioOnClosedChannel)
        body = nil
        writable?.fail(ChannelError.ioOnClosedChannel)
        writable = nil
    }

    private func start(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let method: HTTPRequest.Method
        do {
            method = try HTTPRequest.Method(head.method)
        } catch {
            return refuse(context: context)
        }
        let exchange = Exchange(keepAlive: head.isKeepAlive)
        let body = RequestBody(eventLoop: eventLoop, limit: bodyLimit)
        self.body = body
        current = exchange
        let request = ServerRequest(
            head: HTTPRequest(
                method: method,
                scheme: nil,
                authority: nil,
                path: head.uri,
                headerFields: HTTPFields(head.headers, splitCookie: false)
            ),
            body: body,
            channel: context.channel
        )
        // Started from the connection's event loop, the task runs on it when NIO is Swift's executor, and
        // stays on it: isolated to the loop, the responder's async calls do not hop.
        Task { [responder, logger, isolation] in
            await isolation.run {
                do {
                    try await responder(request, ClientResponseWriter(connection: self, exchange: exchange))
                } catch {
                    logger.debug("response not completed", metadata: ["error": "\(error)"])
                }
            }
            self.onLoop { $0.finished(exchange) }
        }
    }

    /// A head the server cannot represent (an invalid method token).
    private func refuse(context: ChannelHandlerContext) {
        let head = HTTPResponseHead(version: .http1_1, status: .badRequest, headers: ["connection": "close", "content-length": "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    /// The responder returned; an unfinished response closes the connection.
    private func finished(_ exchange: Exchange) {
        if current === exchange { current = nil }
        if !exchange.ended { context?.close(promise: nil) }
    }

    private func onLoop(_ work: @escaping @Sendable (HTTPConnectionHandler) -> Void) {
        if eventLoop.inEventLoop {
            work(self)
        } else {
            eventLoop.execute { work(self) }
        }
    }

    /// Writes parts of `exchange`'s response; flushed unless it is a head alone. Waits while the
    /// connection's send buffer is full.
    func send(_ exchange: Exchange, head: HTTPResponse?, body: ByteBuffer?, end: Bool) async throws {
        if eventLoop.inEventLoop {
            if let full = try write(exchange, head: head, body: body, end: end) { try await full.get() }
        } else {
            try await eventLoop.flatSubmit { [self] in
                do {
                    return try write(exchange, head: head, body: body, end: end) ?? eventLoop.makeSucceededVoidFuture()
                } catch {
                    return eventLoop.makeFailedFuture(error)
                }
            }.get()
        }
    }

    /// Writes on the event loop; returns a future to wait for when the send buffer is full.
    private func write(_ exchange: Exchange, head: HTTPResponse?, body: ByteBuffer?, end: Bool) throws -> EventLoopFuture<Void>? {
        guard active, let context, !exchange.ended else { throw ChannelError.ioOnClosedChannel }
        let closing = !exchange.keepAlive || inputClosed
        if let head {
            var head = HTTPResponseHead(head)
            if closing { head.headers.replaceOrAdd(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(head)), promise: nil)
        }
        if let body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        if end {
            exchange.ended = true
            if closing && body != nil {
                closeAtRequestEnd = true
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(mode: .output, promise: nil) }
            } else if closing {
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            } else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
            return nil
        }
        guard body != nil else { return nil }
        context.flush()
        guard !context.channel.isWritable else { return nil }
        if let writable { return writable.futureResult }
        let promise = eventLoop.makePromise(of: Void.self)
        writable = promise
        return promise.futureResult
    }
}
