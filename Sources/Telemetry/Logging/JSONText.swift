/// JSON string quoting as RFC 8259 requires, shared by the log handler and the exporters' JSON encoders.
public enum JSONText {
    /// Appends `text` as a quoted, escaped JSON string.
    public static func appendQuoted<Sink: ByteSink & ~Copyable>(_ text: String, to bytes: inout Sink) {
        bytes.write(UInt8(ascii: "\""))
        // Read through a span of the string's own storage: its UTF8View retained the string (twice when copied
        // from), for every field of every line. Most strings need no escape (ids, numbers, names): one scan,
        // then one copy.
        text.utf8Span.span.withUnsafeBufferPointer { utf8 in
            guard utf8.contains(where: needsEscape) else { return bytes.write(utf8) }
            for byte in utf8 {
                if let letter = shortEscape(byte) {
                    bytes.write(UInt8(ascii: "\\"))
                    bytes.write(letter)
                } else if byte < 0x20 {
                    bytes.write("\\u00")
                    bytes.write(HexDigits.digit(UInt64(byte >> 4)))
                    bytes.write(HexDigits.digit(UInt64(byte)))
                } else {
                    bytes.write(byte)
                }
            }
        }
        bytes.write(UInt8(ascii: "\""))
    }

    /// The letter after the backslash of `byte`'s two-character escape, if it has one.
    private static func shortEscape(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
        case UInt8(ascii: "\n"): UInt8(ascii: "n")
        case UInt8(ascii: "\r"): UInt8(ascii: "r")
        case UInt8(ascii: "\t"): UInt8(ascii: "t")
        default: nil
        }
    }

    /// A byte JSON cannot hold as it is inside a string: a quote, a backslash or a control character.
    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
    }
}
