import NIOCore
import NIOHTTP1
import Telemetry

/// Closes connections whose clients are too slow to be served: a request head that has not arrived
/// `head` after the connection opened (or after its first byte, on a reused connection), a body that has
/// not arrived `body` after its head, or a keep-alive connection idle for `idle`. Without it a client that
/// dribbles one header byte at a time holds a connection slot (`server.max_connections`) for ever.
///
/// Deadlines are absolute — trickling bytes does not extend them — and none runs while the gateway is
/// answering (a long stream is not the client's fault). Closes are counted by phase.
struct SlowClientGuard: Sendable {
    var head: TimeAmount
    var body: TimeAmount
    var idle: TimeAmount
    /// `llm_slow_client_connections_closed_total{listener, phase}` by phase.
    var closes: Closes

    struct Closes: Sendable {
        var head: CounterCell
        var body: CounterCell
        var idle: CounterCell

        init(listener: String, registry: MetricsRegistry) {
            let family = registry.counter(MetricCatalog.slowClientClosesTotal)
            head = family.labels(listener, "head")
            body = family.labels(listener, "body")
            idle = family.labels(listener, "idle")
        }
    }

    init(server: ServerConfig, listener: String, registry: MetricsRegistry) {
        head = .nanoseconds(Duration.seconds(server.requestHeadTimeoutSeconds).nanosecondsClamped)
        body = .nanoseconds(Duration.seconds(server.requestBodyTimeoutSeconds).nanosecondsClamped)
        idle = .nanoseconds(Duration.seconds(server.idleTimeoutSeconds).nanosecondsClamped)
        closes = Closes(listener: listener, registry: registry)
    }

    /// A fresh handler for a new connection's pipeline (after the HTTP codec).
    func makeHandler() -> SlowClientHandler {
        SlowClientHandler(settings: self)
    }
}

/// One connection's deadlines (see ``SlowClientGuard``). Lives on the connection's event loop.
final class SlowClientHandler: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Phase {
        /// Waiting for a request head (a new connection, or a reused one whose next request began).
        case head
        /// The head is in; waiting for the rest of the body.
        case body
        /// The gateway is answering: no deadline.
        case answering
        /// Between requests on a keep-alive connection.
        case idle
    }

    private let settings: SlowClientGuard
    private var phase = Phase.head
    /// When the current phase's time is up; nil while the gateway answers.
    private var deadline: NIODeadline?
    /// Requests read whose answers are not complete (more than one only when a client pipelines).
    private var outstanding = 0
    /// One timer per connection, re-armed lazily: a later deadline waits for the scheduled check, which then
    /// re-schedules itself for it. A request's phase changes cost no timer work unless a deadline moves closer.
    private var timer: Scheduled<Void>?
    private var timerAt: NIODeadline?
    private var context: ChannelHandlerContext?

    init(settings: SlowClientGuard) {
        self.settings = settings
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Bytes of the next request show up here before the codec has a whole head.
        try? context.pipeline.syncOperations.addHandler(FirstByteObserver(owner: self), position: .first)
        arm(.head, after: settings.head, in: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        timerAt = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            outstanding += 1
            arm(.body, after: settings.body, in: context)
        case .end: disarm(.answering)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            outstanding = max(0, outstanding - 1)
            // An answer can also end before the body was read (a 413, a refused key).
            if outstanding == 0 && (phase == .answering || phase == .body) { arm(.idle, after: settings.idle, in: context) }
        }
        context.write(data, promise: promise)
    }

    /// Raw bytes arrived: on an idle connection, that is the next request's head beginning.
    fileprivate func bytesArrived() {
        guard phase == .idle, let context else { return }
        arm(.head, after: settings.head, in: context)
    }

    private func arm(_ next: Phase, after delay: TimeAmount, in context: ChannelHandlerContext) {
        phase = next
        let due = NIODeadline.now() + delay
        deadline = due
        if let timerAt, timerAt <= due { return }
        timer?.cancel()
        schedule(at: due, in: context)
    }

    private func disarm(_ next: Phase) {
        phase = next
        deadline = nil
    }

    private func schedule(at due: NIODeadline, in context: ChannelHandlerContext) {
        timerAt = due
        timer = context.eventLoop.scheduleTask(deadline: due) { [weak self] in self?.check() }
    }

    /// The timer fired: closes the connection if the current phase's time is up, else waits for it.
    private func check() {
        timer = nil
        timerAt = nil
        guard let deadline, let context else { return }
        guard NIODeadline.now() >= deadline else { return schedule(at: deadline, in: context) }
        switch phase {
        case .head: settings.closes.head.increment()
        case .body: settings.closes.body.increment()
        case .idle: settings.closes.idle.increment()
        case .answering: return
        }
        context.close(promise: nil)
    }
}

/// Sits first in the pipeline and tells its ``SlowClientHandler`` when raw bytes arrive.
private final class FirstByteObserver: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private weak var owner: SlowClientHandler?

    init(owner: SlowClientHandler) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.bytesArrived()
        context.fireChannelRead(data)
    }
}
