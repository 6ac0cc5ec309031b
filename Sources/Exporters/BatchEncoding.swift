import Foundation
import NIOPosix

/// Where exporters do the CPU work of a batch (encoding it, compressing it, and freeing its items): on a
/// thread of their own at a lower scheduling priority, never on an event loop.
///
/// In the gateway Swift concurrency runs on the event loops, so an exporter's task shares them with the
/// requests. Encoding and gzipping a batch of hundreds of spans, and releasing their thousands of strings,
/// takes about a millisecond in one piece; on a loop, every request of that loop waited for it (a lone
/// client's p99 rose from ~0.5 to ~2 ms). On its own thread at nice 10 the kernel runs it in the gaps the
/// request threads leave, and still gives it about a tenth of a core when they leave none, enough for the
/// batches to keep up (a queue that does not is bounded and counts what it drops).
enum BatchEncoding {
    /// The exporters' encoding thread, started on first use. One for all exporters of the process: batches
    /// are encoded one at a time, which is all the cores can spare anyway.
    private static let thread: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// The nice value of the encoding thread (Linux keeps one per thread; `who` 0 is the calling thread).
    static let niceness: Int32 = 10

    /// The body of one export: the encoded batch, gzipped when asked and compression succeeds.
    struct Body: Sendable {
        var bytes: [UInt8]
        var gzipped: Bool
    }

    /// Encodes `items` with `encode` (then gzip) on the blocking pool, where `items` are also let go; where the
    /// pool is not running, in place.
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
            return try await thread.runIfActive {
                // A system call per batch, a few a second: simpler than knowing whether this thread has it yet.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
                return work()
            }
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
