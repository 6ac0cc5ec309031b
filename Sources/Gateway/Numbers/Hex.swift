extension Sequence<UInt8> {
    /// The bytes as lowercase hex, two digits each (digests in signatures, cache keys, config hashes).
    var lowercaseHex: String {
        var text = ""
        for byte in self {
            text.append(Self.digit(byte >> 4))
            text.append(Self.digit(byte & 0x0f))
        }
        return text
    }

    private static func digit(_ value: UInt8) -> Character {
        Character(Unicode.Scalar(value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10))
    }
}
