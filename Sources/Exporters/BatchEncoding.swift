import NIOPosix

/// Where exporters do the CPU work of a batch (encoding it, compressing it, and freeing its items): on a
/// thread of their own, never on an event loop.
///
/// In the gateway Swift concurrency runs on the event loops, so an exporter's task shares them with the
/// requests. Encoding and gzipping a batch of hundreds of spans, and releasing their thousands of strings,
/// takes about a millisecond in one piece: on a loop, every request of that loop waited for it. The thread
/// keeps normal priority: at `SCHED_IDLE` a lone client's p99 was lower (0.55 against 1.7 ms), but a
/// saturated gateway starved it and dropped two thirds of its spans.
enum BatchEncoding {
    /// The exporters' encoding thread, started on first use. One for all exporters of the process: batches
    /// are encoded one at a time, which is all the cores can spare anyway.
    private static let thread: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// The body of one export: the encoded batch, gzipped when asked and compression succeeds.
    struct Body: Sendable {
        var bytes: [UInt8]
        var gzipped: Bool
    }

    /// Encodes `items` with `encode` (then gzip) on the encoding thread, where `items` are also let go; where
    /// the thread is not running, in place.
    static func body<Item: Sendable>(
        of items: consuming [Item],
        gzip: Bool,
        _ encode: @escaping @Sendable ([Item]) -> [UInt8]
    ) async -> Body {
        let batch = Handover(items)
        let work: @Sendable () -> Body = {
            // Taken out of the box: the items' last reference ends with this closure, on this thread.
            let plain = encode(batch.take())
            guard gzip, let compressed = try? Gzip.compress(plain) else { return Body(bytes: plain, gzipped: false) }
            return Body(bytes: compressed, gzipped: true)
        }
        do {
            return try await thread.runIfActive(work)
        } catch {
            return work()
        }
    }

    /// Carries a batch to the thread that encodes it; taken once.
    private final class Handover<Item: Sendable>: @unchecked Sendable {
        private var items: [Item]?
        init(_ items: consuming [Item]) { self.items = items }
        func take() -> [Item] { items.take() ?? [] }
    }
}
