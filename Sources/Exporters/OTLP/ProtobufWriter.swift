import Telemetry

/// Writes the protobuf wire format for the few OTLP messages the exporter sends.
///
/// Only what OTLP traces need: varints, fixed64, doubles, strings, bytes and nested messages
/// (written to a scratch writer, then length-prefixed). The official decoder is the judge in tests.
///
/// The bytes live in memory the writer owns, written through a pointer: an array's `append` asks the runtime
/// whether its storage is shared on every call (a span is a few hundred appends), which was a sixth of the
/// encoding thread's time. Not copyable, so the memory has one owner.
struct ProtobufWriter: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// How many bytes are written.
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// A copy of the bytes written.
    var bytes: [UInt8] { withBytes { Array($0) } }

    /// The bytes written, lent to `body`.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }

    /// Makes room for `more` bytes after the ones written: at least double the capacity, so appends stay amortised.
    private mutating func reserve(_ more: Int) {
        let needed = count + more
        guard needed > capacity else { return }
        let grown = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.update(from: storage, count: count)
        storage.deallocate()
        storage = moved
        capacity = grown
    }

    private mutating func append(_ byte: UInt8) {
        if count == capacity { reserve(1) }
        storage[count] = byte
        count += 1
    }

    private mutating func append(_ source: UnsafeBufferPointer<UInt8>) {
        guard let base = source.baseAddress, !source.isEmpty else { return }
        reserve(source.count)
        (storage + count).update(from: base, count: source.count)
        count += source.count
    }

    private mutating func append(littleEndian value: UInt64) {
        reserve(8)
        withUnsafeBytes(of: value.littleEndian) { (storage + count).update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 8) }
        count += 8
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
        // A varint is at most ten bytes: room for all of them, then plain stores.
        reserve(10)
        var value = value
        while value >= 0x80 {
            storage[count] = UInt8(truncatingIfNeeded: value) | 0x80
            count += 1
            value >>= 7
        }
        storage[count] = UInt8(value)
        count += 1
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
        append(littleEndian: value)
    }

    mutating func fixed32(_ field: Int, _ value: UInt32) {
        guard value != 0 else { return }
        tag(field, .fixed32)
        withUnsafeBytes(of: value.littleEndian) { append($0.assumingMemoryBound(to: UInt8.self)) }
    }

    mutating func double(_ field: Int, _ value: Double) {
        tag(field, .fixed64)
        append(littleEndian: value.bitPattern)
    }

    mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        stringAlways(field, value)
    }

    /// A trace id as its 16 bytes.
    mutating func id(_ field: Int, _ id: TraceID) {
        tag(field, .lengthDelimited)
        varint(16)
        append(littleEndian: id.high.byteSwapped)
        append(littleEndian: id.low.byteSwapped)
    }

    /// A span id as its 8 bytes.
    mutating func id(_ field: Int, _ id: SpanID) {
        tag(field, .lengthDelimited)
        varint(8)
        append(littleEndian: id.value.byteSwapped)
    }

    // Members of a oneof are written even when they hold the default value: their presence is the value.

    mutating func stringAlways(_ field: Int, _ value: String) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.utf8.count))
        // Through a span of the string's own storage: its UTF8View (appended, or asked for contiguous storage)
        // retains the string, once per attribute key and value of every span, on a thread that did not make it.
        value.utf8Span.span.withUnsafeBufferPointer { append($0) }
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
        append(0)
        return MessageStart(lengthAt: count - 1)
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
        var length = UInt64(count - lengthAt - 1)
        if length < 0x80 {
            storage[lengthAt] = UInt8(length)
            return
        }
        // Room for the varint's other bytes (no buffer of its own: every span's length takes this path), then
        // the varint written over the reserved byte and the room.
        var width = 1
        while length >> (7 * UInt64(width)) != 0 { width += 1 }
        reserve(width - 1)
        let body = storage + lengthAt + 1
        UnsafeMutableRawPointer(body + width - 1).copyMemory(from: body, byteCount: count - lengthAt - 1)
        count += width - 1
        for index in lengthAt..<(lengthAt + width) {
            storage[index] = UInt8(truncatingIfNeeded: length) | (index == lengthAt + width - 1 ? 0 : 0x80)
            length >>= 7
        }
    }
}
