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
    ///
    /// No task is started for this: the watch holds the running task and cancels it, under its lock, when the
    /// client goes; the operation then unwinds as it would from any cancellation. The task belongs to the
    /// connection, which is closing anyway at that point.
    func run<Value: Sendable>(on channel: any Channel, _ operation: nonisolated(nonsending) @Sendable () async throws -> Value) async throws -> Value
    {
        guard let watch = watches.withLock({ $0[ObjectIdentifier(channel)] }) else {
            return try await operation()
        }
        guard withUnsafeCurrentTask(body: { task in task.map(watch.watch) ?? false }) else { throw CancellationError() }
        defer { watch.unwatch() }
        let value = try await operation()
        try Task.checkCancellation()
        return value
    }
}

/// The close state of one connection and the task answering on it, if any.
final class ConnectionWatch: Sendable {
    private struct State: @unchecked Sendable {
        var closed = false
        /// Only used under the lock, and removed (``unwatch()``) before the task can end.
        var task: UnsafeCurrentTask?
    }
    private let state = Mutex(State())

    /// The client went away: the task answering it, if any, is cancelled.
    func markClosed() {
        state.withLock { state in
            state.closed = true
            state.task?.cancel()
            state.task = nil
        }
    }

    /// Starts watching for `task`; false when the client has already gone.
    func watch(_ task: UnsafeCurrentTask) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.task = task
            return true
        }
    }

    func unwatch() {
        state.withLock { $0.task = nil }
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
