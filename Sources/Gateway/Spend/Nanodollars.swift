import Telemetry

/// An amount of US dollars in exact nanodollars (`1e-9 USD`): what cost counters add up and what the access
/// line, the answer header and spans print as a decimal.
public struct Nanodollars: Sendable, Equatable, Comparable {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public static let zero = Nanodollars(0)

    public static func < (lhs: Nanodollars, rhs: Nanodollars) -> Bool { lhs.value < rhs.value }

    /// The amount in USD as a plain decimal without trailing zeros (`0.0001234`, `12`, `0`), exact.
    public var decimal: String { ExpositionFormat.fixedPoint(value, decimals: 9) }

    /// The amount in USD as a Double (spans; exact to about a nanodollar up to millions of dollars).
    public var usd: Double { Double(value) / 1e9 }
}
