import Telemetry

/// `http_requests_total` series of one route and method, one per status code, created on first use.
///
/// Common codes sit in fixed slots reached without a lock; a series appears at its first request, as
/// with any Prometheus client. Rare codes go through the family (a lock, once per new code).
final class StatusCounters: Sendable {
    private static let commonCodes = [200, 400, 401, 403, 404, 405, 408, 413, 422, 429, 499, 500, 502, 503, 504, 529]
    private let family: MetricFamily<CounterCell>
    private let method: String
    private let route: String
    private let slots: [LazySeries<CounterCell>]

    init(family: MetricFamily<CounterCell>, method: String, route: String) {
        self.family = family
        self.method = method
        self.route = route
        self.slots = Self.commonCodes.map { LazySeries(family, method, route, String($0)) }
    }

    func counter(for status: Int) -> CounterCell {
        guard let slot = Self.slot(for: status) else {
            return family.labels(method, route, String(status))
        }
        return slots[slot].cell
    }

    private static func slot(for status: Int) -> Int? {
        switch status {
        case 200: 0
        case 400: 1
        case 401: 2
        case 403: 3
        case 404: 4
        case 405: 5
        case 408: 6
        case 413: 7
        case 422: 8
        case 429: 9
        case 499: 10
        case 500: 11
        case 502: 12
        case 503: 13
        case 504: 14
        case 529: 15
        default: nil
        }
    }
}
