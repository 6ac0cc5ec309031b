import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Cancels a request's work the moment its client goes away — also while nothing is being written,
/// such as while waiting for an upstream's first token.
///
/// Each connection gets a ``ClientDisconnectHandler`` in its pipeline; it sees the inbound close
/// (half-close or reset) as soon as NIO reads it, without disturbing keep-alive for clients that stay.
/// The monitor maps channels to their watch so a request can find its own.
final class ClientDisconnectMonitor: Sendable {
    private let watches = Mutex<[ObjectIdentifier: ConnectionWatch]>([:])

    /// A fresh handler for a new connection's pipeline.
    func makeHandler() -> ClientDisconnectHandler {
        ClientDisconnectHandler(monitor: self)
    }

    fileprivate func register(_ channel: any Channel) -> ConnectionWatch {
        let watch = ConnectionWatch()
        watches.withLock { $0[ObjectIdentifier(channel)] = watch }
        return watch
    }

    fileprivate func unregister(_ channel: any Channel) {
        _ = watches.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Runs `operation`, cancelling it if `channel`'s client disconnects first.
    func run<Value: Sendable>(on channel: any Channel, _ operation: @Sendable () async throws -> Value) async throws -> Value {
        guard let watch = watches.withLock({ $0[ObjectIdentifier(channel)] }) else {
            return try await operation()
        }
        return try await withoutActuallyEscaping(operation) { operation in
            try await withThrowingTaskGroup(of: Value?.self) { group in
                group.addTask { try await operation() }
                group.addTask {
                    await watch.waitForClose()
                    return nil
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let value = result { return value }
                    // The client went away first.
                    group.cancelAll()
                    throw CancellationError()
                }
                throw CancellationError()
            }
        }
    }
}

/// The close state of one connection and whoever waits for it.
final class ConnectionWatch: Sendable {
    private struct State {
        var closed = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    func markClosed() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the client disconnects, or when the waiting task is cancelled.
    func waitForClose() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

/// Sits in each connection's pipeline and tells the monitor when the client closes its side.
final class ClientDisconnectHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    private let monitor: ClientDisconnectMonitor
    private var watch: ConnectionWatch?

    init(monitor: ClientDisconnectMonitor) {
        self.monitor = monitor
    }

    func handlerAdded(context: ChannelHandlerContext) {
        watch = monitor.register(context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watch?.markClosed()
        monitor.unregister(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            watch?.markClosed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch?.markClosed()
        monitor.unregister(context.channel)
        context.fireChannelInactive()
    }
}
