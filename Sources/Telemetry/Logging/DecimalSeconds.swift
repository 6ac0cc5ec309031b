/// A duration as decimal seconds, exact to the nanosecond: `0.000123456`, `1.5`, `0.0`.
///
/// The access line's `duration_s`. Written digit by digit from the integer nanoseconds, where formatting a
/// `Double` (shortest round-trip digits) was a tenth of the line's cost — and a double only approximated them.
public enum DecimalSeconds {
    /// Appends `duration`: the whole seconds, a point, then the nanoseconds without trailing zeros (one digit
    /// at least). Durations past ~292 years saturate.
    public static func append<Sink: ByteSink & ~Copyable>(_ duration: Duration, to bytes: inout Sink) {
        let nanoseconds = duration.nanosecondsClamped
        if nanoseconds < 0 { bytes.write(UInt8(ascii: "-")) }
        let magnitude = nanoseconds.magnitude
        DecimalDigits.append(magnitude / 1_000_000_000, to: &bytes)
        bytes.write(UInt8(ascii: "."))
        var fraction = magnitude % 1_000_000_000
        var digits = 9
        while digits > 1 && fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        DecimalDigits.append(fraction, width: digits, to: &bytes)
    }

    /// The same, as a string.
    public static func text(_ duration: Duration) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(duration, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
