import Foundation
import Testing

@testable import Gateway

@Suite("Budget periods")
struct BudgetPeriodTests {
    @Test("UTC days and months: names and ends at the boundaries, leap days and year ends included")
    func windows() {
        // 2024-02-29T23:59:59Z, a leap day's last second.
        let leap: Int64 = 1_709_251_199
        #expect(BudgetPeriod.day.window(at: leap) == ("2024-02-29", leap + 1))
        #expect(BudgetPeriod.month.window(at: leap) == ("2024-02", leap + 1))
        #expect(BudgetPeriod.day.window(at: leap + 1).name == "2024-03-01")
        // 2026-12-31T12:00:00Z: the month ends at 2027-01-01T00:00:00Z.
        let newYear: Int64 = 1_798_761_600
        #expect(BudgetPeriod.month.window(at: newYear - 43_200) == ("2026-12", newYear))
        #expect(BudgetPeriod.month.window(at: newYear) == ("2027-01", 1_801_440_000))
        #expect(BudgetPeriod.day.window(at: 0) == ("1970-01-01", 86_400))
        #expect(BudgetEnforcer.timestamp(newYear) == "2027-01-01T00:00:00Z")
    }

    @Test("differential: every day from 1970 to 2400 gets the name and month end Foundation's UTC calendar gives")
    func differential() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var generator = FuzzTests.Generator(state: 42)
        for _ in 0..<2000 {
            let second = Int64.random(in: 0..<13_569_465_600, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(second))
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let name = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            #expect(BudgetPeriod.day.window(at: second).name == name)
            let monthStart = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: 1))!
            let monthEnd = calendar.date(byAdding: .month, value: 1, to: monthStart)!
            #expect(BudgetPeriod.month.window(at: second) == (String(name.prefix(7)), Int64(monthEnd.timeIntervalSince1970)))
        }
    }
}
