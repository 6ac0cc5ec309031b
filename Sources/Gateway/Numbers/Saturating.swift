/// Arithmetic on numbers that came from outside (a client's `max_tokens`, an upstream's usage counts or
/// `Retry-After`): it clamps at the type's bounds instead of trapping, so no input can abort the process.
extension Int {
    /// `self + other`, clamped to `Int.min...Int.max`.
    func addingSaturated(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self * other`, clamped to `Int.min...Int.max`.
    func multipliedSaturated(by other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }

    /// `value` as an `Int` clamped to `range`; NaN becomes the range's lower bound.
    init(clamping value: Double, to range: ClosedRange<Int>) {
        guard !value.isNaN else {
            self = range.lowerBound
            return
        }
        if value <= Double(range.lowerBound) {
            self = range.lowerBound
        } else if value >= Double(range.upperBound) {
            self = range.upperBound
        } else {
            self = Int(value)
        }
    }
}

extension Sequence where Element == Int {
    /// The sum of the elements, clamped instead of trapping.
    func saturatedSum() -> Int { reduce(0) { $0.addingSaturated($1) } }
}
