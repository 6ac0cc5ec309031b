import Telemetry

/// Writes the protobuf wire format for the few OTLP messages the exporter sends.
///
/// Only what OTLP traces need: varints, fixed64, doubles, strings, bytes and nested messages (written in
/// place, their length slotted in front afterwards). The official decoder is the judge in tests. The bytes go
/// into ``OwnedBytes``: a span is a few hundred small writes.
struct ProtobufWriter: ~Copyable {
    private var out: OwnedBytes

    init(capacity: Int = 64) {
        out = OwnedBytes(capacity: capacity)
    }

    /// A copy of the bytes written.
    var bytes: [UInt8] { out.array }

    /// How many bytes are written.
    var count: Int { out.count }

    /// The bytes written, lent to `body`.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try out.withBytes(body)
    }

    /// Bytes already in the wire format (messages encoded on their own), as they are.
    mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>) {
        out.write(bytes)
    }

    /// The tag and length of a length-delimited field whose `length` bytes the caller writes next.
    mutating func lengthPrefix(field: Int, length: Int) {
        tag(field, .lengthDelimited)
        varint(UInt64(length))
    }

    /// How many bytes ``lengthPrefix(field:length:)`` writes.
    static func lengthPrefixSize(field: Int, length: Int) -> Int {
        varintSize(UInt64(field) << 3 | WireType.lengthDelimited.rawValue) + varintSize(UInt64(length))
    }

    private static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// `value`'s bytes as they lie in memory (the caller picks the byte order: `.littleEndian`, `.bigEndian`).
    private mutating func append(bytesOf value: some FixedWidthInteger) {
        withUnsafeBytes(of: value) { out.write($0.assumingMemoryBound(to: UInt8.self)) }
    }

    private enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    private mutating func tag(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            out.write(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.write(UInt8(value))
    }

    /// A varint field; zero is the default and is not written (proto3).
    mutating func uint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, .varint)
        varint(value)
    }

    mutating func int64(_ field: Int, _ value: Int64) {
        guard value != 0 else { return }
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        guard value else { return }
        tag(field, .varint)
        varint(1)
    }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, .fixed64)
        append(bytesOf: value.littleEndian)
    }

    mutating func fixed32(_ field: Int, _ value: UInt32) {
        guard value != 0 else { return }
        tag(field, .fixed32)
        append(bytesOf: value.littleEndian)
    }

    mutating func double(_ field: Int, _ value: Double) {
        tag(field, .fixed64)
        append(bytesOf: value.bitPattern.littleEndian)
    }

    mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        stringAlways(field, value)
    }

    /// A trace id as its 16 bytes.
    mutating func id(_ field: Int, _ id: TraceID) {
        tag(field, .lengthDelimited)
        varint(16)
        append(bytesOf: id.high.bigEndian)
        append(bytesOf: id.low.bigEndian)
    }

    /// A span id as its 8 bytes.
    mutating func id(_ field: Int, _ id: SpanID) {
        tag(field, .lengthDelimited)
        varint(8)
        append(bytesOf: id.value.bigEndian)
    }

    // Members of a oneof are written even when they hold the default value: their presence is the value.

    mutating func stringAlways(_ field: Int, _ value: String) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.utf8.count))
        // Through a span of the string's own storage: its UTF8View (appended, or asked for contiguous storage)
        // retains the string, once per attribute key and value of every span, on a thread that did not make it.
        out.write(utf8: value)
    }

    mutating func boolAlways(_ field: Int, _ value: Bool) {
        tag(field, .varint)
        varint(value ? 1 : 0)
    }

    mutating func int64Always(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A nested message, written by `body` (always emitted, even when empty, since presence matters for oneofs).
    ///
    /// Written in place: the body goes straight into this buffer and its length prefix is slotted in front
    /// afterwards (one short move of the body), so the many small messages of a span (every attribute is two)
    /// cost no buffer of their own.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        let start = beginMessage(field)
        body(&self)
        endMessage(start)
    }

    /// Opens a nested message whose body the caller writes next, then closes with ``endMessage(_:)`` — the
    /// form for a body that would otherwise be a closure capturing what it writes.
    mutating func beginMessage(_ field: Int) -> MessageStart {
        tag(field, .lengthDelimited)
        // One byte is reserved for the length, which is all most messages of a span need; a longer
        // body (a span, a batch) moves once to make room for the rest of its varint.
        out.write(0)
        return MessageStart(lengthAt: out.count - 1)
    }

    mutating func endMessage(_ start: MessageStart) {
        closeLength(at: start.lengthAt)
    }

    /// Where an open message's length goes.
    struct MessageStart {
        fileprivate let lengthAt: Int
    }

    /// Writes the length of what follows the byte reserved at `lengthAt` into it, making room when the
    /// varint needs more than that byte.
    private mutating func closeLength(at lengthAt: Int) {
        var length = UInt64(out.count - lengthAt - 1)
        if length < 0x80 {
            out[lengthAt] = UInt8(length)
            return
        }
        // Room for the varint's other bytes (no buffer of its own: every span's length takes this path), then
        // the varint written over the reserved byte and the room.
        let width = Self.varintSize(length)
        out.insertGap(width - 1, at: lengthAt + 1)
        for index in lengthAt..<(lengthAt + width) {
            out[index] = UInt8(truncatingIfNeeded: length) | (index == lengthAt + width - 1 ? 0 : 0x80)
            length >>= 7
        }
    }
}
