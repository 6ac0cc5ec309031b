/// Decimal digits written straight into a line's bytes, no string per number: the log lines' integers, the
/// timestamp's fields and the durations' seconds are all made of these two forms.
enum DecimalDigits {
    /// `value` in as few digits as it takes (`0` for zero).
    static func append<Sink: ByteSink & ~Copyable>(_ value: UInt64, to bytes: inout Sink) {
        var divisor: UInt64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        append(value, from: divisor, to: &bytes)
    }

    /// `value` in `width` digits, zero-padded on the left (a value with more digits than that is not expected).
    static func append<Sink: ByteSink & ~Copyable>(_ value: UInt64, width: Int, to bytes: inout Sink) {
        var divisor: UInt64 = 1
        for _ in 1..<max(width, 1) { divisor *= 10 }
        append(value, from: divisor, to: &bytes)
    }

    /// One digit per power of ten from `divisor` down to 1.
    private static func append<Sink: ByteSink & ~Copyable>(_ value: UInt64, from divisor: UInt64, to bytes: inout Sink) {
        var rest = value
        var divisor = divisor
        while divisor > 0 {
            bytes.write(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
