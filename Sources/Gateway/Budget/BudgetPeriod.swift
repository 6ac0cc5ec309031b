/// A budget's period: the UTC day or the UTC month an instant falls in, named as its store key's suffix
/// (`2026-12-07`, `2026-12`) and ending at the next UTC midnight or first of the month. Calendar arithmetic
/// on Unix seconds (the proleptic Gregorian calendar's days-from-civil), so no calendar object is built per
/// request.
public enum BudgetPeriod: String, Sendable, CaseIterable {
    case day
    case month

    /// The period that holds `unixSeconds`: its name and the Unix second it ends at.
    public func window(at unixSeconds: Int64) -> (name: String, endsAt: Int64) {
        let days = Self.floorDivide(unixSeconds, 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        switch self {
        case .day:
            return ("\(year)-\(Self.twoDigits(month))-\(Self.twoDigits(day))", (days + 1) * 86_400)
        case .month:
            let next = month == 12 ? (year + 1, 1) : (year, month + 1)
            return ("\(year)-\(Self.twoDigits(month))", Self.days(fromCivil: next.0, next.1, 1) * 86_400)
        }
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    /// Year, month, day of the day `days` after 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days from 1970-01-01 to `year-month-day`.
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let adjustedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(adjustedYear, 400)
        let yearOfEra = adjustedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
