/// Attempt outcomes over a sliding time window, kept in a fixed ring of buckets so memory and cost stay
/// constant however busy the deployment is. Not synchronized: it lives inside its breaker's lock.
struct OutcomeWindow: Sendable {
    struct Totals: Equatable {
        var attempts = 0
        var failures = 0
        var latencySamples = 0
        var latencySum: Duration = .zero

        var errorRate: Double { attempts == 0 ? 0 : Double(failures) / Double(attempts) }
        var meanLatency: Duration { latencySamples == 0 ? .zero : latencySum / latencySamples }
    }

    private struct Bucket {
        /// Which slice of time (counted from `origin` in `width` steps) the counts belong to.
        var slice = -1
        var totals = Totals()
    }

    private let origin: ContinuousClock.Instant
    private let width: Duration
    private var buckets: [Bucket]

    init(window: Duration, buckets: Int = 12, origin: ContinuousClock.Instant = .now) {
        self.origin = origin
        self.width = window / buckets
        self.buckets = Array(repeating: Bucket(), count: buckets)
    }

    mutating func record(failure: Bool, latency: Duration?, now: ContinuousClock.Instant) {
        let slice = self.slice(of: now)
        let index = slice % buckets.count
        if buckets[index].slice != slice { buckets[index] = Bucket(slice: slice) }
        buckets[index].totals.attempts += 1
        if failure { buckets[index].totals.failures += 1 }
        if let latency {
            buckets[index].totals.latencySamples += 1
            buckets[index].totals.latencySum += latency
        }
    }

    /// What the last `window` saw (the current, partly filled bucket included).
    func totals(now: ContinuousClock.Instant) -> Totals {
        let current = slice(of: now)
        var sum = Totals()
        for bucket in buckets where bucket.slice > current - buckets.count && bucket.slice <= current {
            sum.attempts += bucket.totals.attempts
            sum.failures += bucket.totals.failures
            sum.latencySamples += bucket.totals.latencySamples
            sum.latencySum += bucket.totals.latencySum
        }
        return sum
    }

    mutating func reset() {
        for index in buckets.indices { buckets[index] = Bucket() }
    }

    private func slice(of instant: ContinuousClock.Instant) -> Int {
        max(0, Int((instant - origin) / width))
    }
}
