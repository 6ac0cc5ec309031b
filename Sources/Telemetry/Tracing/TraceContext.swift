import Foundation
import Synchronization

/// W3C Trace Context (`traceparent`): the trace a request belongs to and the id of its own span.
///
/// A valid incoming header is continued (same trace id, the caller's span becomes the parent);
/// an invalid or missing one starts a new trace. Ids are integers (plain data to copy); their hex form is
/// written where a header, a line or an exemplar shows them.
public struct TraceContext: Sendable, Equatable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var parentSpanID: SpanID?
    public var sampled: Bool
    /// `tracestate`, passed on unchanged.
    public var traceState: String?

    public init(traceID: TraceID, spanID: SpanID, parentSpanID: SpanID? = nil, sampled: Bool = true, traceState: String? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.sampled = sampled
        self.traceState = traceState
    }

    /// Continues `traceparent` when valid, else starts a new trace; either way with a new span id.
    public static func continuing(traceparent: String?, tracestate: String? = nil) -> TraceContext {
        var generator = IDRandom()
        if let traceparent, let parent = parse(traceparent) {
            return TraceContext(
                traceID: parent.traceID,
                spanID: .random(using: &generator),
                parentSpanID: parent.spanID,
                sampled: parent.sampled,
                traceState: tracestate
            )
        }
        return TraceContext(traceID: .random(using: &generator), spanID: .random(using: &generator))
    }

    /// A new span in the same trace, with this span as its parent.
    public func child() -> TraceContext {
        var generator = IDRandom()
        return TraceContext(traceID: traceID, spanID: .random(using: &generator), parentSpanID: spanID, sampled: sampled, traceState: traceState)
    }

    /// The `traceparent` header naming this span as the parent of the next hop.
    public var traceparent: String {
        // `00-{trace id}-{span id}-{flags}`, written into the string's own storage.
        String(unsafeUninitializedCapacity: 55) { buffer in
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "0")
            buffer[2] = UInt8(ascii: "-")
            HexDigits.write(traceID.high, into: buffer, at: 3)
            HexDigits.write(traceID.low, into: buffer, at: 19)
            buffer[35] = UInt8(ascii: "-")
            HexDigits.write(spanID.value, into: buffer, at: 36)
            buffer[52] = UInt8(ascii: "-")
            buffer[53] = UInt8(ascii: "0")
            buffer[54] = sampled ? UInt8(ascii: "1") : UInt8(ascii: "0")
            return 55
        }
    }

    /// Parses version 00 (and, per the spec, higher versions' first four fields).
    public static func parse(_ header: String) -> (traceID: TraceID, spanID: SpanID, sampled: Bool)? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, isHex(parts[0]), parts[0] != "ff" else { return nil }
        if parts[0] == "00" && parts.count != 4 { return nil }
        let flags = parts[3]
        guard let traceID = TraceID(hex: parts[1]), let spanID = SpanID(hex: parts[2]),
            flags.count == 2, isHex(flags), let flagBits = UInt8(flags, radix: 16)
        else { return nil }
        return (traceID, spanID, flagBits & 1 == 1)
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

/// Random bits for trace and span ids, drawn from a shared pool that the C library's `arc4random_buf` refills
/// 4 KiB at a time.
///
/// Debian's glibc answers every `arc4random` call with a `getrandom(2)` system call; three ids per request
/// made that a few system calls per request. The pool makes it one per ~170 requests, with the same source.
struct IDRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 {
        RandomPool.shared.next()
    }
}

/// Random words handed out under a short lock, refilled from the system when used up.
final class RandomPool: Sendable {
    static let shared = RandomPool()
    private static let words = 512

    private struct State {
        var words = [UInt64](repeating: 0, count: RandomPool.words)
        var next = RandomPool.words
    }

    private let state = Mutex(State())

    func next() -> UInt64 {
        state.withLock { state in
            if state.next == state.words.count {
                state.words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
                state.next = 0
            }
            defer { state.next += 1 }
            return state.words[state.next]
        }
    }
}
