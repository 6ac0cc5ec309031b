import NIOCore

/// An actor whose executor is one NIO event loop: a request's work runs isolated to the loop that reads its
/// connection.
///
/// NIO is Swift's global executor in the gateway (`Serve`), so a task's jobs already run on event loops, but
/// a job runs "on the loop's serial executor" while the gateway's async functions ask for the generic one:
/// without an isolation of their own, each call into one would hop — a re-enqueue on the same loop, dozens per
/// request. Run inside ``run(_:)``, they inherit this actor's isolation (the target is built with
/// `NonisolatedNonsendingByDefault`), so they stay on the loop; only functions that insist on the generic
/// executor (`@concurrent` ones, e.g. in libraries) hop, and back.
actor EventLoopIsolation {
    nonisolated let unownedExecutor: UnownedSerialExecutor

    init(eventLoop: any EventLoop) {
        unownedExecutor = eventLoop.executor.asUnownedSerialExecutor()
    }

    /// Runs `body` isolated to the loop.
    func run(_ body: sending () async -> Void) async {
        await body()
    }
}
