/// Runs an operation under a time limit: whichever finishes first, the operation or the limit, decides;
/// the other is cancelled. Used where no lower layer enforces a limit for us (a stream's first event,
/// an active health probe).
enum Deadline {
    static func run<Value: Sendable>(
        within limit: Duration,
        _ operation: nonisolated(nonsending) @escaping @Sendable () async throws(GatewayError) -> Value
    ) async throws(GatewayError) -> Value {
        guard limit > .zero else { throw GatewayError.upstreamTimeout }
        do {
            return try await withThrowingTaskGroup(of: Value?.self) { group in
                group.addTask { try await operation() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else { throw GatewayError.upstreamTimeout }
                return value
            }
        } catch let error as GatewayError {
            throw error
        } catch {
            throw UpstreamErrors.transport(error)
        }
    }
}
