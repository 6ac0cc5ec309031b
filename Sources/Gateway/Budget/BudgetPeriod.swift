import Telemetry

/// A budget's period: the UTC day or the UTC month an instant falls in, named as its store key's suffix
/// (`2026-12-07`, `2026-12`) and ending at the next UTC midnight or first of the month. Calendar arithmetic
/// on Unix seconds (``UTCCalendar``, shared with the log lines' timestamps), so no calendar object is built per
/// request.
public enum BudgetPeriod: String, Sendable, CaseIterable {
    case day
    case month

    /// The period that holds `unixSeconds`: its name and the Unix second it ends at.
    public func window(at unixSeconds: Int64) -> (name: String, endsAt: Int64) {
        let days = UTCCalendar.floorDivide(unixSeconds, 86_400)
        let (year, month, day) = UTCCalendar.civil(fromDays: days)
        switch self {
        case .day:
            return ("\(year)-\(Self.twoDigits(month))-\(Self.twoDigits(day))", (days + 1) * 86_400)
        case .month:
            let next = month == 12 ? (year + 1, 1) : (year, month + 1)
            return ("\(year)-\(Self.twoDigits(month))", UTCCalendar.days(fromCivil: next.0, next.1, 1) * 86_400)
        }
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }
}
