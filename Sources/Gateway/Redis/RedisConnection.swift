import NIOCore
import NIOPosix

/// One pipelined connection to Redis: commands are written as they come, replies answer them in order.
///
/// A command that outlives `commandTimeout` fails with ``RedisError/timeout`` and takes the connection down
/// with it (the order of the replies still in flight can no longer be trusted); the pool reconnects.
final class RedisConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func connect(host: String, port: Int, timeout: Duration, commandTimeout: Duration) async throws -> RedisConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(timeout.nanosecondsClamped))
            // TCP_NODELAY is a TCP-level option: at the socket level its number is SO_DEBUG, which only a
            // process with CAP_NET_ADMIN may set — every connect failed as the deployment's non-root user.
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RedisChannelHandler(commandTimeout: .nanoseconds(commandTimeout.nanosecondsClamped))
                    )
                }
            }
            .connect(host: host, port: port)
            .get()
        return RedisConnection(channel: channel)
    }

    var isActive: Bool { channel.isActive }

    /// Sends one command and waits for its reply. Error replies come back as ``RedisValue/error(_:)``.
    func send(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        let promise = channel.eventLoop.makePromise(of: RedisValue.self)
        channel.writeAndFlush(RedisChannelHandler.Command(bytes: RESPCommand.encode(arguments), promise: promise), promise: nil)
        do {
            return try await promise.futureResult.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw .connectionClosed
        }
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Matches replies to commands in order, on the connection's event loop.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Command
    typealias OutboundOut = ByteBuffer

    struct Command {
        var bytes: ByteBuffer
        var promise: EventLoopPromise<RedisValue>
    }

    private struct Pending {
        var promise: EventLoopPromise<RedisValue>
        var timeout: Scheduled<Void>
    }

    private let reader = RESPReader()
    private var pending = CircularBuffer<Pending>()
    private let commandTimeout: TimeAmount

    init(commandTimeout: TimeAmount) {
        self.commandTimeout = commandTimeout
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        guard context.channel.isActive else {
            command.promise.fail(RedisError.connectionClosed)
            return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let timeout = context.eventLoop.scheduleTask(in: commandTimeout) {
            let (handler, context) = loopBound.value
            handler.failAll(RedisError.timeout)
            context.close(promise: nil)
        }
        pending.append(Pending(promise: command.promise, timeout: timeout))
        context.write(wrapOutboundOut(command.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reader.feed(unwrapInboundIn(data))
        do {
            while let reply = try reader.next() {
                guard let first = pending.popFirst() else { continue }
                first.timeout.cancel()
                first.promise.succeed(reply)
            }
        } catch {
            failAll(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RedisError.connectionClosed)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        while let next = pending.popFirst() {
            next.timeout.cancel()
            next.promise.fail(error)
        }
    }
}
