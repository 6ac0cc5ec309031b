import Foundation
import NIOPosix
import Synchronization

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
    /// the thread is not running, in place. `encode` writes into the buffer it is given (reused from batch to
    /// batch, like the compressor) and calls the pause it is given every few dozen items; the thread gives way
    /// there while `mayYield` (the exporter is keeping up).
    static func body<Item: Sendable>(
        of items: consuming [Item],
        gzip: Bool,
        mayYield: @escaping @Sendable () -> Bool,
        _ encode: @escaping @Sendable ([Item], _ into: inout [UInt8], _ pause: () -> Void) -> Void
    ) async -> Body {
        let batch = Handover(items)
        let work: @Sendable (_ pause: () -> Void) -> Body = { pause in
            let scratch = Scratch.take()
            defer { Scratch.giveBack(scratch) }
            // Taken out of the box: the items' last reference ends here, on this thread.
            encode(batch.take(), &scratch.plain, pause)
            pause()
            guard gzip, let deflater = scratch.deflater, let compressed = try? deflater.compress(scratch.plain)
            else {
                // Handed on as it is: the next batch starts a buffer of its own.
                var plain: [UInt8] = []
                swap(&plain, &scratch.plain)
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

    /// The buffers a batch is encoded and compressed in, kept for the next one: taken fresh for every batch,
    /// their few hundred KiB were faulted in from the kernel each time (about 0.7 page faults per request with
    /// tracing on). One set is kept; encodings that overlap (only in place, when the thread is down) make more.
    /// Used by one encoding at a time: ``take()`` hands it out of the shared slot, ``giveBack(_:)`` returns it.
    private final class Scratch: @unchecked Sendable {
        var plain: [UInt8] = []
        let deflater: Gzip.Deflater? = try? Gzip.Deflater()
        /// A buffer past this is not kept (one huge batch must not pin its memory).
        static let keptBytes = 4 << 20
        private static let kept = Mutex<Scratch?>(nil)

        static func take() -> Scratch {
            kept.withLock { $0.take() } ?? Scratch()
        }

        static func giveBack(_ scratch: Scratch) {
            if scratch.plain.capacity > keptBytes { scratch.plain = [] }
            kept.withLock { $0 = scratch }
        }
    }

    /// Spans encoded between two pauses (about a tenth of a millisecond). The gzip of a batch is one call (a batch of
    /// 512 spans: about 0.2 ms).
    static let sliceItems = 64

    /// Carries a batch to the thread that encodes it; taken once.
    private final class Handover<Item: Sendable>: @unchecked Sendable {
        private var items: [Item]?
        init(_ items: consuming [Item]) { self.items = items }
        func take() -> [Item] { items.take() ?? [] }
    }
}
