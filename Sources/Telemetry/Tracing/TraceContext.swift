import Foundation

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
        var generator = SystemRandomNumberGenerator()
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
        var generator = SystemRandomNumberGenerator()
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

    static func randomHex(bytes: Int, using generator: inout SystemRandomNumberGenerator) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes * 2)
        var remaining = bytes
        while remaining > 0 {
            var word = generator.next() as UInt64
            for _ in 0..<min(8, remaining) {
                let byte = UInt8(truncatingIfNeeded: word)
                utf8.append(digits[Int(byte >> 4)])
                utf8.append(digits[Int(byte & 0x0f)])
                word >>= 8
            }
            remaining -= 8
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
