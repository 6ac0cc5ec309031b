/// Where encoders append bytes: a `[UInt8]`, or ``OwnedBytes`` on hot paths. The digit, hex and JSON string
/// writers of this module take any of them.
public protocol ByteSink: ~Copyable {
    mutating func write(_ byte: UInt8)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension ByteSink where Self: ~Copyable {
    /// A literal's UTF-8.
    @inlinable
    public mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write($0) }
    }

    /// A string's UTF-8, read through a span of its storage (its UTF8View would retain it).
    @inlinable
    public mutating func write(utf8 text: String) {
        text.utf8Span.span.withUnsafeBufferPointer { write($0) }
    }
}

extension Array: ByteSink where Element == UInt8 {
    @inlinable
    public mutating func write(_ byte: UInt8) { append(byte) }

    @inlinable
    public mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}
