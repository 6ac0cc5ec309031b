/// A W3C trace id: 16 bytes, never all zero, held as two integers.
///
/// Ids were lowercase hex strings: every request made three of them (one heap string each), every copy of a
/// trace context retained them, and the exporter parsed the hex back into bytes. As integers a context is plain
/// data; the hex text is written only where a line, a header or an exemplar shows it.
public struct TraceID: HexIdentifier, Hashable {
    /// The first 8 bytes, big-endian (the first 16 hex digits).
    public let high: UInt64
    /// The last 8 bytes, big-endian.
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 32 lowercase hex digits, not all zero (the W3C form); nil for anything else.
    public init?(hex: some StringProtocol) {
        let utf8 = hex.utf8
        guard utf8.count == 32, let high = HexDigits.value(of: utf8.prefix(16)), let low = HexDigits.value(of: utf8.dropFirst(16)),
            high != 0 || low != 0
        else { return nil }
        self.init(high: high, low: low)
    }

    /// A new random id (never all zero).
    static func random(using generator: inout some RandomNumberGenerator) -> TraceID {
        while true {
            let id = TraceID(high: generator.next(), low: generator.next())
            if id.high != 0 || id.low != 0 { return id }
        }
    }

    /// The 32 lowercase hex digits.
    public var description: String { HexDigits.string(high, low) }

    public var asTraceID: TraceID? { self }

    /// Appends the 32 lowercase hex digits.
    public func appendHex<Sink: ByteSink & ~Copyable>(to bytes: inout Sink) {
        HexDigits.append(high, to: &bytes)
        HexDigits.append(low, to: &bytes)
    }
}

/// A W3C span (parent) id: 8 bytes, never all zero.
public struct SpanID: HexIdentifier, Hashable {
    /// The 8 bytes, big-endian.
    public let value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// 16 lowercase hex digits, not all zero; nil for anything else.
    public init?(hex: some StringProtocol) {
        let utf8 = hex.utf8
        guard utf8.count == 16, let value = HexDigits.value(of: utf8), value != 0 else { return nil }
        self.init(value)
    }

    /// A new random id (never zero).
    static func random(using generator: inout some RandomNumberGenerator) -> SpanID {
        while true {
            let value = generator.next()
            if value != 0 { return SpanID(value) }
        }
    }

    /// The 16 lowercase hex digits.
    public var description: String { HexDigits.string(value) }

    public var asTraceID: TraceID? { nil }

    /// Appends the 16 lowercase hex digits.
    public func appendHex<Sink: ByteSink & ~Copyable>(to bytes: inout Sink) {
        HexDigits.append(value, to: &bytes)
    }
}

/// An id shown as fixed-width lowercase hex (its `description`), which it can also append to bytes in place.
public protocol HexIdentifier: Sendable, CustomStringConvertible {
    /// The id when it is a trace id: what a log line keeps for its shipper, without a dynamic cast.
    var asTraceID: TraceID? { get }
    func appendHex<Sink: ByteSink & ~Copyable>(to bytes: inout Sink)
}

/// Lowercase hex digits: the ids' fixed-width form (16 digits per 64-bit word, most significant first), and the
/// digit of a nibble for anything else in this module that writes hex (JSON's `\u00XX` escapes).
enum HexDigits {
    /// The lowercase hex digit of `value`'s low four bits.
    @inline(__always)
    static func digit(_ value: UInt64) -> UInt8 {
        let nibble = UInt8(truncatingIfNeeded: value & 0xf)
        return nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ nibble &- 10
    }

    /// The `index`th of `word`'s 16 digits, most significant first.
    @inline(__always)
    private static func digit(of word: UInt64, at index: Int) -> UInt8 {
        digit(word >> UInt64(60 - 4 * index))
    }

    /// The value of 16 lowercase hex digits; nil when one is not one.
    static func value(of utf8: some Collection<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for character in utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character &- UInt8(ascii: "a") &+ 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }

    static func append<Sink: ByteSink & ~Copyable>(_ word: UInt64, to bytes: inout Sink) {
        // Written into a buffer on the stack, then handed over in one piece.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { digits in
            write(word, into: digits, at: 0)
            bytes.write(UnsafeBufferPointer(digits))
        }
    }

    /// The digits of `first`, then of `second` when given, as a string (no intermediate array).
    static func string(_ first: UInt64, _ second: UInt64? = nil) -> String {
        String(unsafeUninitializedCapacity: second == nil ? 16 : 32) { buffer in
            write(first, into: buffer, at: 0)
            guard let second else { return 16 }
            write(second, into: buffer, at: 16)
            return 32
        }
    }

    /// Writes `word`'s 16 digits into `buffer` from `offset`.
    static func write(_ word: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        for index in 0..<16 { buffer[offset + index] = digit(of: word, at: index) }
    }
}
