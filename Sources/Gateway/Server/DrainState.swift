import Synchronization

/// Whether the gateway is shutting down: readiness turns 503 so load balancers stop sending new work
/// while in-flight requests and streams finish.
public final class DrainState: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    public func beginDraining() {
        draining.store(true, ordering: .relaxed)
    }
}
