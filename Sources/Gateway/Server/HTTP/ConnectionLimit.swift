import NIOCore

/// Caps a listener's open connections (`server.max_connections`): at the cap the server channel stops
/// accepting — new clients wait in the kernel's backlog — and resumes when a connection closes.
final class ConnectionLimit: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never
    typealias OutboundOut = Never

    private let maximum: Int
    private var open = 0
    /// A read was held back at the cap; it is issued when a connection closes.
    private var readPending = false

    init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        open += 1
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        child.closeFuture.hop(to: context.eventLoop).whenComplete { _ in
            let (limit, context) = loopBound.value
            limit.open -= 1
            if limit.readPending, limit.open < limit.maximum {
                limit.readPending = false
                context.read()
            }
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard open < maximum else {
            readPending = true
            return
        }
        context.read()
    }
}
