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
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }
}

extension ResponseSummary {
    /// Reads `id`, `model`, `choices[].finish_reason` and `usage` of an OpenAI `chat.completion` (or chunk)
    /// without building the rest of it — the document is still checked whole, and the fields get the same
    /// types as the `Decodable` reading would demand; anything else is `upstream_invalid_response`.
    static func scan(_ bytes: UnsafeRawBufferPointer, expected: String) throws(GatewayError) -> ResponseSummary {
        var summary = ResponseSummary()
        var scanner = JSONScanner(bytes)
        do {
            guard scanner.peek() == UInt8(ascii: "{") else { throw JSONScanner.Invalid() }
            try scanner.object { key, scanner in
                if Self.equals(key, "id") {
                    summary.id = try Self.optionalString(&scanner)
                } else if Self.equals(key, "model") {
                    summary.model = try Self.optionalString(&scanner)
                } else if Self.equals(key, "choices") {
                    guard !scanner.skipNull() else { return }
                    var reasons: [String] = []
                    try scanner.array { scanner in
                        try scanner.object { key, scanner in
                            guard Self.equals(key, "finish_reason") else { return try scanner.skipValue() }
                            if let reason = try Self.optionalString(&scanner) { reasons.append(reason) }
                        }
                    }
                    summary.finishReasons = reasons
                } else if Self.equals(key, "usage") {
                    guard !scanner.skipNull() else { return }
                    guard scanner.peek() == UInt8(ascii: "{") else { throw JSONScanner.Invalid() }
                    let range = try scanner.valueRange()
                    summary.usage = try WireJSON.decode(TokenUsage.self, from: scanner.slice(range), expected: expected)
                } else {
                    try scanner.skipValue()
                }
            }
            guard scanner.atEnd() else { throw JSONScanner.Invalid() }
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError.invalidUpstreamResponse("expected \(expected)")
        }
        return summary
    }

    /// ``scan(_:expected:)`` over a buffer's readable bytes.
    static func scan(_ buffer: ByteBuffer, expected: String) throws(GatewayError) -> ResponseSummary {
        let result = buffer.withUnsafeReadableBytes { bytes in Result { () throws(GatewayError) in try scan(bytes, expected: expected) } }
        return try result.get()
    }

    /// ``scan(_:expected:)`` over an array's bytes.
    static func scan(_ bytes: [UInt8], expected: String) throws(GatewayError) -> ResponseSummary {
        let result = bytes.withUnsafeBytes { bytes in Result { () throws(GatewayError) in try scan(bytes, expected: expected) } }
        return try result.get()
    }

    private static func equals(_ key: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        key.count == name.utf8CodeUnitCount && memcmp(key.baseAddress!, name.utf8Start, key.count) == 0
    }

    /// A string or null; escapes are resolved by the JSON decoder (rare in ids and model names).
    private static func optionalString(_ scanner: inout JSONScanner) throws -> String? {
        guard !scanner.skipNull() else { return nil }
        guard scanner.peek() == UInt8(ascii: "\"") else { throw JSONScanner.Invalid() }
        let (range, escaped) = try scanner.string()
        guard escaped else { return String(decoding: scanner.slice(range), as: UTF8.self) }
        return try WireJSON.decode(String.self, from: scanner.slice((range.lowerBound - 1)..<(range.upperBound + 1)), expected: "a JSON string")
    }
}
