import NIOCore
import NIOHTTP1

/// One request on a pooled connection, as the handler needs it: the bytes to send and its limits.
struct PooledExchange {
    var head: HTTPRequestHead
    var body: ByteBuffer
    var limits: Limits

    /// What the handler keeps of an exchange once its request is sent (not the request's bytes: a long
    /// stream would hold them to its end).
    struct Limits {
        /// The response head and the first byte of its body must arrive by then (for a stream: its first event).
        var firstByteDeadline: NIODeadline
        /// The whole exchange must be over by then.
        var totalDeadline: NIODeadline
        /// The longest silence allowed between body chunks.
        var idle: TimeAmount
    }
}

/// Drives one HTTP/1.1 exchange at a time on a pooled upstream connection.
///
/// It writes the request, hands the response head to the waiting caller, and feeds the body into a
/// back-pressured ``PooledBody``: while the caller does not keep up, the handler stops asking the socket for
/// more, so a slow client slows the upstream instead of growing a buffer. One timer on the connection's
/// event loop enforces the first-byte, idle and total limits (no task per request). Everything here runs on
/// that event loop; the pool learns through `onIdle` that the connection can take the next request.
final class ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        case idle
        case awaitingHead(PooledExchange.Limits, EventLoopPromise<UpstreamResponse>)
        /// The head is in, and what came with it in the same read: the caller hears at the end of that read,
        /// with the whole answer if its end came too (no body sequence at all), else with a sequence that
        /// starts with the bytes held here.
        case headRead(PooledExchange.Limits, EventLoopPromise<UpstreamResponse>, ResponseStart)
        case streaming(PooledExchange.Limits, PooledBody)
        case closed
    }

    /// A response head and the body bytes that arrived with it.
    private struct ResponseStart {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer?
    }

    private var state = State.idle
    private var context: ChannelHandlerContext?
    /// Counts exchanges, so late calls from a finished exchange's sequence are recognised and ignored.
    private var generation: UInt64 = 0
    private var keepAlive = true
    private var sawBodyByte = false
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var armedAt = NIODeadline.distantFuture
    /// The consumer asked for no more; a read the channel wanted waits in `readPending`.
    private var paused = false
    private var readPending = false
    /// Called on the event loop when an exchange ended and the connection can serve the next one.
    var onIdle: (() -> Void)?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        // `onIdle` holds the pooled connection, which holds this handler: closed, the pair must be let go.
        onIdle = nil
    }

    /// Sends `exchange`'s request. Called on the event loop, only while the connection is idle.
    func start(_ exchange: PooledExchange, promise: EventLoopPromise<UpstreamResponse>) {
        guard case .idle = state, let context, context.channel.isActive else {
            promise.fail(GatewayError.upstreamUnreachable("pooled connection closed before use"))
            return
        }
        generation &+= 1
        keepAlive = true
        sawBodyByte = false
        paused = false
        lastActivity = .now()
        state = .awaitingHead(exchange.limits, promise)
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if exchange.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        arm(at: min(exchange.limits.firstByteDeadline, exchange.limits.totalDeadline))
    }

    /// The caller of the exchange whose response is `response` stopped waiting for its head (its task was
    /// cancelled): that exchange cannot finish, so the connection goes. A later exchange is left alone.
    func cancel(_ response: EventLoopFuture<UpstreamResponse>) {
        guard case .awaitingHead(_, let promise) = state, promise.futureResult === response else { return }
        fail(GatewayError.cancelled)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .awaitingHead(let exchange, let promise) = state else { return protocolError("a response nobody asked for") }
            // 1xx heads (100 Continue) are followed by the real one.
            if head.status.code < 200 { return }
            keepAlive = head.isKeepAlive
            state = .headRead(exchange, promise, ResponseStart(status: Int(head.status.code), headers: head.headers))
        case .body(var chunk):
            switch state {
            case .headRead(let exchange, let promise, var start):
                bodyBytesArrived(exchange)
                // Bounded by the one read the bytes came in.
                if start.body == nil { start.body = chunk } else { start.body!.writeBuffer(&chunk) }
                state = .headRead(exchange, promise, start)
            case .streaming(let exchange, let source):
                bodyBytesArrived(exchange)
                if !source.yield(chunk) { paused = true }
            default:
                protocolError("a body without a response")
            }
        case .end:
            switch state {
            case .headRead(_, let promise, let start):
                // The whole answer came in one read: the caller gets it as it is.
                finishExchange()
                promise.succeed(
                    UpstreamResponse(status: start.status, headers: start.headers, body: UpstreamBody(whole: start.body ?? ByteBuffer()))
                )
            case .streaming(_, let source):
                // Back to the pool first, so the reader's next request finds the connection free.
                finishExchange()
                source.finish()
            default:
                protocolError("a response end without a response")
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // The head came without its end: from here the body is a back-pressured sequence, starting with what
        // came with the head.
        if case .headRead(let exchange, let promise, let start) = state {
            let body = PooledBody(eventLoop: context.eventLoop, demand: demand(generation, on: context.eventLoop))
            state = .streaming(exchange, body)
            if let bytes = start.body, !body.yield(bytes) { paused = true }
            promise.succeed(UpstreamResponse(status: start.status, headers: start.headers, body: UpstreamBody(reading: body)))
        }
        context.fireChannelReadComplete()
    }

    /// Body bytes arrived: the idle clock restarts; from the first ones on, the idle limit applies and the
    /// timer moves up if it was set for a later first-byte limit.
    private func bodyBytesArrived(_ exchange: PooledExchange.Limits) {
        lastActivity = .now()
        guard !sawBodyByte else { return }
        sawBodyByte = true
        let idleDeadline = min(lastActivity + exchange.idle, exchange.totalDeadline)
        if armedAt > idleDeadline {
            timer?.cancel()
            arm(at: idleDeadline)
        }
    }

    func read(context: ChannelHandlerContext) {
        if paused {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(GatewayError.upstreamUnreachable("upstream closed the connection"))
        onIdle = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(GatewayError.upstreamUnreachable(String(describing: error)))
    }

    /// What the body of exchange `generation` tells this handler. Called on the event loop, later than the
    /// body's own step (a read resumed from inside the reader's take would re-enter the handler).
    private func demand(_ generation: UInt64, on eventLoop: any EventLoop) -> PooledBody.Demand {
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        return PooledBody.Demand(
            produceMore: { handler.eventLoop.execute { handler.value.produceMore(generation: generation) } },
            terminated: { handler.eventLoop.execute { handler.value.terminated(generation: generation) } }
        )
    }

    /// The consumer wants more: reading resumes if it was held back.
    private func produceMore(generation: UInt64) {
        guard generation == self.generation, paused else { return }
        paused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    /// The consumer is gone. Before the body ended, the connection cannot be reused.
    private func terminated(generation: UInt64) {
        guard generation == self.generation, case .streaming = state else { return }
        fail(GatewayError.cancelled)
    }

    private func finishExchange() {
        timer?.cancel()
        timer = nil
        paused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
        guard keepAlive else {
            state = .closed
            context?.close(promise: nil)
            return
        }
        state = .idle
        onIdle?()
    }

    /// Ends the exchange in flight with `error` and closes the connection.
    private func fail(_ error: GatewayError) {
        timer?.cancel()
        timer = nil
        switch state {
        case .awaitingHead(_, let promise), .headRead(_, let promise, _): promise.fail(error)
        case .streaming(_, let source): source.finish(error)
        case .idle, .closed: break
        }
        let wasOpen: Bool
        if case .closed = state { wasOpen = false } else { wasOpen = true }
        state = .closed
        if wasOpen { context?.close(promise: nil) }
    }

    private func protocolError(_ what: String) {
        fail(GatewayError.invalidUpstreamResponse(what))
    }

    private func arm(at deadline: NIODeadline) {
        guard let context else { return }
        armedAt = deadline
        let (generation, handler) = (self.generation, NIOLoopBound(self, eventLoop: context.eventLoop))
        timer = context.eventLoop.scheduleTask(deadline: deadline) { handler.value.timerFired(generation: generation) }
    }

    /// Checks the limits of the exchange in flight, and re-arms for the nearest one still ahead.
    private func timerFired(generation: UInt64) {
        guard generation == self.generation else { return }
        let exchange: PooledExchange.Limits
        switch state {
        case .awaitingHead(let current, _), .headRead(let current, _, _): exchange = current
        case .streaming(let current, _): exchange = current
        case .idle, .closed: return
        }
        let now = NIODeadline.now()
        let waitingForFirstByte = !sawBodyByte
        if now >= exchange.totalDeadline || (waitingForFirstByte && now >= exchange.firstByteDeadline)
            || (!waitingForFirstByte && now >= lastActivity + exchange.idle)
        {
            return fail(GatewayError.upstreamTimeout)
        }
        let next = waitingForFirstByte ? exchange.firstByteDeadline : lastActivity + exchange.idle
        arm(at: min(next, exchange.totalDeadline))
    }
}
