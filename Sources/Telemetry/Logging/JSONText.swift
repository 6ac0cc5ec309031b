/// JSON string quoting as RFC 8259 requires, shared by the log handler and the exporters' JSON encoders.
public enum JSONText {
    /// Appends `text` as a quoted, escaped JSON string.
    public static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Read through a span of the string's own storage: its UTF8View retained the string (twice when copied
        // from), for every field of every line. Most strings need no escape (ids, numbers, names): one scan,
        // then one copy.
        text.utf8Span.span.withUnsafeBufferPointer { utf8 in
            guard utf8.contains(where: needsEscape) else { return bytes.append(contentsOf: utf8) }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
                case UInt8(ascii: "\n"): bytes.append(contentsOf: [92, 110])
                case UInt8(ascii: "\r"): bytes.append(contentsOf: [92, 114])
                case UInt8(ascii: "\t"): bytes.append(contentsOf: [92, 116])
                case 0..<0x20:
                    bytes.append(contentsOf: [92, 117, 48, 48, HexDigits.digit(UInt64(byte >> 4)), HexDigits.digit(UInt64(byte))])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A byte JSON cannot hold as it is inside a string: a quote, a backslash or a control character.
    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
    }
}
