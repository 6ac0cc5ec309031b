import NIOCore

extension JSONValue {
    /// A request body's members: the byte scan's reading, or JSONDecoder's (with its 400 naming what is wrong) where
    /// the scan leaves the body. The body must be UTF-8, as ``RequestDecoding/decode(_:from:scan:)`` requires.
    static func members(of body: ByteBuffer) throws(GatewayError) -> [String: JSONValue] {
        try RequestDecoding.decode([String: JSONValue].self, from: body, scan: scannedObject)
    }

    /// A JSON object read with the byte scanner: the members ``JSONValue``'s `Decodable` conformance reads
    /// (integers exact as `Int64`, other numbers as `Double`), without its way of trying each type in turn and
    /// catching the error of every miss, which made a small chat body cost tens of microseconds.
    ///
    /// Nil when the scan does not take the document (it is not an object, is not valid JSON, or has a key written
    /// with escapes): the caller decodes it with `JSONDecoder` then, which reads or refuses it with its own words.
    static func scannedObject(_ body: ByteBuffer) -> [String: JSONValue]? {
        body.withUnsafeReadableBytes { bytes in
            var scanner = JSONScanner(bytes)
            guard scanner.peek() == UInt8(ascii: "{"), case .object(let members) = try? scan(&scanner), scanner.atEnd() else { return nil }
            return members
        }
    }

    /// The next value. Throws where the scanner does, and for a key with an escape in it.
    private static func scan(_ scanner: inout JSONScanner) throws -> JSONValue {
        switch scanner.peek() {
        case UInt8(ascii: "{"):
            var members: [String: JSONValue] = [:]
            try scanner.object { key, scanner in
                guard !key.contains(UInt8(ascii: "\\")) else { throw JSONScanner.Invalid() }
                members[String(decoding: key, as: UTF8.self)] = try scan(&scanner)
            }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try scanner.array { elements.append(try scan(&$0)) }
            return .array(elements)
        case UInt8(ascii: "\""):
            guard let text = try scanner.stringValue() else { throw JSONScanner.Invalid() }
            return .string(text)
        case UInt8(ascii: "n"):
            guard scanner.skipNull() else { throw JSONScanner.Invalid() }
            return .null
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            guard let flag = scanner.boolValue() else { throw JSONScanner.Invalid() }
            return .bool(flag)
        default:
            if let integer = scanner.plainInteger() { return .integer(Int64(integer)) }
            guard let number = scanner.finiteNumber() else { throw JSONScanner.Invalid() }
            return .number(number)
        }
    }
}
