/// A growable run of bytes in memory it owns, written through a pointer.
///
/// For the encoders that write a few hundred small pieces per item (a log line, a span): an array's `append`
/// asks the runtime whether its storage is shared on every call, which was a sixth of the exporters' encoding
/// thread. Not copyable, so the memory has one owner and is freed with it.
public struct OwnedBytes: ~Copyable, ByteSink {
    @usableFromInline var storage: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var written = 0
    /// How many bytes are written.
    public var count: Int { written }

    public init(capacity: Int = 64) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// The bytes written, lent to `body`.
    @inlinable
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }

    /// A copy of the bytes written.
    public var array: [UInt8] { withBytes { Array($0) } }

    /// Makes room for `more` bytes after those written: at least double the capacity, so writes stay amortised.
    @inlinable
    public mutating func reserve(_ more: Int) {
        if count + more > capacity { grow(to: count + more) }
    }

    @usableFromInline
    mutating func grow(to needed: Int) {
        let grown = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.update(from: storage, count: count)
        storage.deallocate()
        storage = moved
        capacity = grown
    }

    @inlinable
    public mutating func write(_ byte: UInt8) {
        if written == capacity { grow(to: written + 1) }
        storage[written] = byte
        written += 1
    }

    @inlinable
    public mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage + written).update(from: base, count: bytes.count)
        written += bytes.count
    }

    /// The byte at `index` (below ``count``), to patch a length written ahead of what it measures.
    @inlinable
    public subscript(index: Int) -> UInt8 {
        get {
            precondition(index >= 0 && index < count, "index out of range")
            return storage[index]
        }
        set {
            precondition(index >= 0 && index < count, "index out of range")
            storage[index] = newValue
        }
    }

    /// Inserts `gap` bytes (of no given value) at `index`, moving what follows.
    public mutating func insertGap(_ gap: Int, at index: Int) {
        precondition(gap >= 0 && index >= 0 && index <= count, "gap out of range")
        reserve(gap)
        UnsafeMutableRawPointer(storage + index + gap).copyMemory(from: storage + index, byteCount: count - index)
        written += gap
    }
}
