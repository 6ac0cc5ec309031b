import Foundation
import Synchronization

/// W3C Trace Context (`traceparent`): the trace a request belongs to and the id of its own span.
///
/// A valid incoming header is continued (same trace id, the caller's span becomes the parent);
/// an invalid or missing one starts a new trace. Ids are lowercase hex, as the header carries them.
public struct TraceContext: Sendable, Equatable {
    public var traceID: String
    public var spanID: String
    public var parentSpanID: String?
    public var sampled: Bool
    /// `tracestate`, passed on unchanged.
    public var traceState: String?

    public init(traceID: String, spanID: String, parentSpanID: String? = nil, sampled: Bool = true, traceState: String? = nil) {
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
                spanID: randomHex(bytes: 8, using: &generator),
                parentSpanID: parent.spanID,
                sampled: parent.sampled,
                traceState: tracestate
            )
        }
        return TraceContext(traceID: randomHex(bytes: 16, using: &generator), spanID: randomHex(bytes: 8, using: &generator))
    }

    /// A new span in the same trace, with this span as its parent.
    public func child() -> TraceContext {
        var generator = IDRandom()
        return TraceContext(
            traceID: traceID,
            spanID: Self.randomHex(bytes: 8, using: &generator),
            parentSpanID: spanID,
            sampled: sampled,
            traceState: traceState
        )
    }

    /// The `traceparent` header naming this span as the parent of the next hop.
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    /// Parses version 00 (and, per the spec, higher versions' first four fields).
    public static func parse(_ header: String) -> (traceID: String, spanID: String, sampled: Bool)? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, isHex(parts[0]), parts[0] != "ff" else { return nil }
        if parts[0] == "00" && parts.count != 4 { return nil }
        let traceID = parts[1]
        let spanID = parts[2]
        let flags = parts[3]
        guard traceID.count == 32, isHex(traceID), traceID != String(repeating: "0", count: 32),
            spanID.count == 16, isHex(spanID), spanID != String(repeating: "0", count: 16),
            flags.count == 2, isHex(flags), let flagBits = UInt8(flags, radix: 16)
        else { return nil }
        return (String(traceID), String(spanID), flagBits & 1 == 1)
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func randomHex(bytes: Int, using generator: inout IDRandom) -> String {
        String(unsafeUninitializedCapacity: bytes * 2) { utf8 in
            var index = 0
            var remaining = bytes
            while remaining > 0 {
                var word = generator.next()
                for _ in 0..<Swift.min(8, remaining) {
                    let byte = UInt8(truncatingIfNeeded: word)
                    utf8[index] = hexDigit(byte >> 4)
                    utf8[index + 1] = hexDigit(byte & 0x0f)
                    index += 2
                    word >>= 8
                }
                remaining -= 8
            }
            return index
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
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
