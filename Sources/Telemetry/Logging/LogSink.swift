import Dispatch
import Foundation
import Synchronization

/// Where log lines go: a bounded in-memory buffer that one writer thread drains to a file descriptor.
///
/// Request threads only copy their line into the buffer under a short lock; `write(2)` happens on the
/// writer thread alone, so a slow or stalled stdout (a pipe nobody reads) never slows a request. When the
/// buffer holds ``capacityBytes`` the line is dropped and counted (`llm_gateway_export_dropped_items_total`
/// with exporter `stdout`/`stderr`, signal `logs`, reason `queue_full`) — never unbounded growth. Lines
/// never interleave: each is appended whole.
public final class LogSink: Sendable {
    /// The default bound: a few seconds of lines at full load.
    public static let defaultCapacityBytes = 8 * 1024 * 1024

    private struct State {
        var pending: [UInt8] = []
        /// Bytes taken by the writer and not yet written (``flush(timeout:)`` waits for them too).
        var writing = 0
        var dropped = 0
        var counter: CounterCell?
        var started = false
    }

    private let descriptor: Int32
    public let capacityBytes: Int
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    public init(descriptor: Int32, capacityBytes: Int = LogSink.defaultCapacityBytes) {
        self.descriptor = descriptor
        self.capacityBytes = capacityBytes
    }

    public static let standardOutput = LogSink(descriptor: 1)
    public static let standardError = LogSink(descriptor: 2)

    /// The name the drop counter uses for this sink.
    public var name: String { descriptor == 2 ? "stderr" : descriptor == 1 ? "stdout" : "fd" }

    /// Lines dropped because the buffer was full, since start.
    public var droppedLines: Int { state.withLock { $0.dropped } }

    /// Counts drops in `counter` from now on (the ones before are added at once).
    public func countDrops(in counter: CounterCell) {
        state.withLock { state in
            counter.increment(by: UInt64(state.dropped))
            state.counter = counter
        }
    }

    /// Copies `bytes` (one or more whole lines) into the buffer.
    func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        let (signal, start) = state.withLock { state -> (Bool, Bool) in
            guard state.pending.count + bytes.count <= capacityBytes else {
                state.dropped += 1
                state.counter?.increment()
                return (false, false)
            }
            let wasEmpty = state.pending.isEmpty
            state.pending.append(contentsOf: bytes)
            let start = !state.started
            state.started = true
            return (wasEmpty, start)
        }
        if start { startWriter() }
        if signal { wake.signal() }
    }

    /// Waits until every buffered line is written, at most `timeout` (the process is about to exit).
    public func flush(timeout: Duration = .seconds(2)) {
        let deadline = ContinuousClock.now + timeout
        wake.signal()
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.pending.isEmpty && $0.writing == 0 }) { return }
            usleep(1000)
        }
    }

    private func startWriter() {
        let thread = Thread { [self] in drain() }
        thread.name = "llm-gateway log writer"
        thread.start()
    }

    /// The writer thread: takes everything buffered and writes it, then sleeps until there is more.
    private func drain() {
        var batch: [UInt8] = []
        while true {
            wake.wait()
            // Let a few milliseconds of lines gather: one wake-up and one write(2) for all of them, instead
            // of one per line under load (the buffer's bound still holds; a full one drops and counts).
            usleep(2000)
            while true {
                batch.removeAll(keepingCapacity: true)
                state.withLock { state in
                    swap(&batch, &state.pending)
                    state.writing = batch.count
                }
                if batch.isEmpty { break }
                writeAll(batch)
                state.withLock { $0.writing = 0 }
                if batch.capacity > capacityBytes / 4 { batch = [] }
            }
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
