import Foundation
import NIOCore

/// A validating, non-allocating walk over one JSON document (RFC 8259): it checks the syntax of every
/// value and hands out the byte ranges of the few members a caller asks for, without building the rest.
///
/// Used where the gateway needs three or four fields of a large document it relays as bytes (an answer's
/// id, model, finish reasons and usage): the whole document is still checked, but nothing is decoded that
/// is not read. Nesting is bounded (``maxDepth``) so hostile input cannot exhaust the stack.
struct JSONScanner {
    struct Invalid: Error {}

    static let maxDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private(set) var index = 0
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whether the document ended after its value (only whitespace may follow).
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    /// The next byte after whitespace, without consuming it; nil at the end.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    /// Walks an object, calling `member` with each key (raw, escapes undecoded) and the scanner positioned
    /// at its value; `member` must consume the value (``skipValue()`` or a read) and returns nothing.
    mutating func object(_ member: (_ key: UnsafeRawBufferPointer, inout JSONScanner) throws -> Void) throws {
        try items(open: UInt8(ascii: "{"), close: UInt8(ascii: "}")) { scanner in
            guard scanner.peek() == UInt8(ascii: "\"") else { throw Invalid() }
            let key = try scanner.string()
            try scanner.expect(UInt8(ascii: ":"))
            try member(scanner.slice(key.range), &scanner)
        }
    }

    /// Walks an array, calling `element` with the scanner positioned at each element (which it must consume).
    mutating func array(_ element: (inout JSONScanner) throws -> Void) throws {
        try items(open: UInt8(ascii: "["), close: UInt8(ascii: "]"), element)
    }

    /// The comma-separated items between `open` and `close`, one nesting level deeper.
    private mutating func items(open: UInt8, close: UInt8, _ item: (inout JSONScanner) throws -> Void) throws {
        try expect(open)
        try enter()
        defer { depth -= 1 }
        if peek() == close {
            index += 1
            return
        }
        while true {
            try item(&self)
            skipWhitespace()
            guard index < bytes.count else { throw Invalid() }
            defer { index += 1 }
            if bytes[index] == close { return }
            guard bytes[index] == UInt8(ascii: ",") else { throw Invalid() }
        }
    }

    /// A string token: the range of its content (between the quotes) and whether it holds escapes.
    mutating func string() throws -> (range: Range<Int>, escaped: Bool) {
        try expect(UInt8(ascii: "\""))
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                return (start..<index, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                index += 1
                guard index < bytes.count else { throw Invalid() }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    guard index + 4 < bytes.count, (1...4).allSatisfy({ Self.isHex(bytes[index + $0]) }) else { throw Invalid() }
                    index += 5
                default: throw Invalid()
                }
            case 0..<0x20: throw Invalid()
            default: index += 1
            }
        }
        throw Invalid()
    }

    /// The range of the next value, whatever it is, after checking it.
    mutating func valueRange() throws -> Range<Int> {
        skipWhitespace()
        let start = index
        try skipValue()
        return start..<index
    }

    /// Checks and passes over the next value.
    mutating func skipValue() throws {
        guard let first = peek() else { throw Invalid() }
        switch first {
        case UInt8(ascii: "{"): try object { _, scanner in try scanner.skipValue() }
        case UInt8(ascii: "["): try array { try $0.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try number()
        }
    }

    /// Consumes `null` if it is next.
    mutating func skipNull() -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        return (try? literal("null")) != nil
    }

    /// The bytes of `range` (a string's content or a value).
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    private mutating func number() throws {
        func digits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw Invalid() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { throw Invalid() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw Invalid() }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw Invalid() }
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Invalid() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw Invalid() }
        index += count
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw Invalid() }
        index += 1
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw Invalid() }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count && Self.isWhitespace(bytes[index]) { index += 1 }
    }

    /// JSON's insignificant whitespace (RFC 8259): space, tab, line feed, carriage return.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    // MARK: Typed reads (each consumes its value, or returns nil and consumes nothing)

    /// `null` as nil, or what `read` takes; a value `read` does not take (it returns nil) throws.
    mutating func nullable<Value>(_ read: (inout JSONScanner) throws -> Value?) throws -> Value? {
        if skipNull() { return nil }
        guard let value = try read(&self) else { throw Invalid() }
        return value
    }

    /// Passes over the value of a member the caller does not read. Throws when `key` holds an escape: it
    /// could spell a name the caller does read, which only a full decoder resolves.
    mutating func skipUnread(_ key: UnsafeRawBufferPointer) throws {
        guard !key.contains(UInt8(ascii: "\\")) else { throw Invalid() }
        try skipValue()
    }

    /// A string, escapes resolved; nil when the next value is not a string. Throws for an escape that is
    /// not Unicode (a lone surrogate), which JSON decoders refuse.
    mutating func stringValue() throws -> String? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        let (range, escaped) = try string()
        guard escaped else { return String(decoding: slice(range), as: UTF8.self) }
        return try unescape(range)
    }

    /// A number written as a plain integer (no fraction or exponent) within `Int`'s range; nil otherwise.
    mutating func plainInteger() -> Int? {
        guard let first = peek(), first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return nil }
        let start = index
        guard (try? number()) != nil else {
            index = start
            return nil
        }
        var value = 0
        var position = start
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        while position < index {
            let digit = bytes[position]
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else {
                index = start
                return nil
            }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow) = negative ? times.subtractingReportingOverflow(Int(digit - 48)) : times.addingReportingOverflow(Int(digit - 48))
            guard !overflowTimes, !overflow else {
                index = start
                return nil
            }
            value = next
            position += 1
        }
        return value
    }

    /// A number as a finite `Double`; nil when the next value is not a number or is out of `Double`'s range.
    mutating func finiteNumber() -> Double? {
        guard let first = peek(), first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return nil }
        let start = index
        guard (try? number()) != nil, let value = Double(String(decoding: slice(start..<index), as: UTF8.self)), value.isFinite else {
            index = start
            return nil
        }
        return value
    }

    /// `true` or `false`; nil for any other value.
    mutating func boolValue() -> Bool? {
        switch peek() {
        case UInt8(ascii: "t"): return (try? literal("true")) != nil ? true : nil
        case UInt8(ascii: "f"): return (try? literal("false")) != nil ? false : nil
        default: return nil
        }
    }

    /// The content of a checked string token with its escapes resolved.
    private func unescape(_ range: Range<Int>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var position = range.lowerBound
        func hex(_ at: Int) throws -> UInt32 {
            guard at + 4 <= range.upperBound else { throw Invalid() }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = bytes[at + offset]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Invalid()
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while position < range.upperBound {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                position += 1
                continue
            }
            let escape = bytes[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex(position)
                position += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard position + 6 <= range.upperBound, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                        throw Invalid()
                    }
                    let low = try hex(position + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw Invalid() }
                    position += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw Invalid()
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Invalid() }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default: out.append(escape)  // the quote, the backslash and the solidus stand for themselves
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }
}
