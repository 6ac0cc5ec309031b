import Foundation
import NIOPosix

/// Where exporters do the CPU work of a batch (encoding it, compressing it, and freeing its items): on a
/// thread of their own, never on an event loop.
///
/// In the gateway Swift concurrency runs on the event loops, so an exporter's task shares them with the
/// requests. Encoding and gzipping a batch of hundreds of spans, and releasing their thousands of strings,
/// takes about a millisecond in one piece: on a loop, every request of that loop waited for it. On its own
/// thread it still held a core a request thread woke on (a lone client's p99 1.7–1.9 ms against 0.4–0.6
/// without tracing), so it works in slices and yields between them (0.55–0.6 ms) — unless its queue is half
/// full. The thread keeps normal priority: `SCHED_IDLE` starved it on a saturated gateway (two thirds of the
/// spans dropped), and so did yielding at every slice (a quarter).
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
    /// the thread is not running, in place. `encode` calls the pause it is given every few dozen items; the
    /// thread gives way there while `mayYield` (the exporter is keeping up).
    static func body<Item: Sendable>(
        of items: consuming [Item],
        gzip: Bool,
        mayYield: @escaping @Sendable () -> Bool,
        _ encode: @escaping @Sendable ([Item], _ pause: () -> Void) -> [UInt8]
    ) async -> Body {
        let batch = Handover(items)
        let work: @Sendable (_ pause: () -> Void) -> Body = { pause in
            // Taken out of the box: the items' last reference ends here, on this thread.
            let plain = encode(batch.take(), pause)
            pause()
            guard gzip, let compressed = try? Gzip.compress(plain, slice: sliceBytes, pause: pause) else {
                return Body(bytes: plain, gzipped: false)
            }
            return Body(bytes: compressed, gzipped: true)
        }
        do {
            // Between slices the thread gives way: a request thread woken on its core runs at once instead
            // of waiting out the rest of the batch (a lone client's p99 was the batch's length). Not while the
            // queue fills up: on a saturated machine every yield waits for the others, and spans would drop.
            return try await thread.runIfActive {
                work {
                    if mayYield() { sched_yield() }
                }
            }
        } catch {
            return work {}
        }
    }

    /// Spans encoded, and bytes compressed, between two pauses (each about a tenth of a millisecond).
    static let sliceItems = 64
    static let sliceBytes = 32 * 1024

    /// Carries a batch to the thread that encodes it; taken once.
    private final class Handover<Item: Sendable>: @unchecked Sendable {
        private var items: [Item]?
        init(_ items: consuming [Item]) { self.items = items }
        func take() -> [Item] { items.take() ?? [] }
    }
}
