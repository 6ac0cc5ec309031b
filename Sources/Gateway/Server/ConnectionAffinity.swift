import NIOCore
import NIOPosix

/// Keeps a connection's request work on the event loop that owns its socket.
///
/// When Swift concurrency runs on NIO's event loops (``serve`` installs them as the global executor), a
/// task stays on the loop it was last resumed on. The server starts every connection's task from the loop
/// that accepts, so without a move all requests would be handled on that one thread while the others only
/// read and write. One hop at the start of a request puts the task on its channel's loop; from then on its
/// awaits resume there, next to its socket and (through the pool's preference) its upstream connection.
enum ConnectionAffinity {
    static func moveToEventLoop(of channel: any Channel) async {
        // Only when tasks run on event loops at all, and only when not already on the right one.
        guard MultiThreadedEventLoopGroup.currentEventLoop != nil, !channel.eventLoop.inEventLoop else { return }
        try? await channel.eventLoop.submit {}.get()
    }
}
