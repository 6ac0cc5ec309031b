import Synchronization

/// The sliding-window logs of ``RateLimitStore`` in this process's memory: the embedded default, and
/// what one replica uses without Redis. Same semantics as ``RedisRateLimitStore``.
final class MemoryRateLimitStore: RateLimitStore {
    private struct Entry {
        var time: ContinuousClock.Instant
        var id: String
        var amount: Int
    }

    /// One window's log: entries oldest first (from `head`), and their sum.
    private struct Log {
        var entries: [Entry] = []
        var head = 0
        var sum = 0

        /// Drops the entries at or before `cutoff`; returns the sum of those left.
        mutating func prune(before cutoff: ContinuousClock.Instant) -> Int {
            while head < entries.count, entries[head].time <= cutoff {
                sum -= entries[head].amount
                head += 1
            }
            if head > 1024 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
            return sum
        }

        /// Adds `entry` when there is one; returns what the window holds then and when its oldest entry leaves.
        mutating func record(_ entry: Entry?, window: Duration, now: ContinuousClock.Instant) -> (used: Int, reset: Duration) {
            if let entry {
                entries.append(entry)
                sum += entry.amount
            }
            return (sum, head < entries.count ? entries[head].time + window - now : .zero)
        }

        /// Replaces the amount of `id`'s entry (the latest one of that id still in the window).
        mutating func settle(id: String, amount: Int) {
            guard let index = entries[head...].lastIndex(where: { $0.id == id }) else { return }
            // Usage is clamped (TokenUsage.maximumCount) and reservations were admitted under the limit.
            sum += amount - entries[index].amount
            entries[index].amount = amount
        }
    }

    /// The logs by rule and counter. Every change is made in place, through the dictionary: a log copied out and
    /// written back (as it was) shared its entries with the dictionary, so every append copied the whole window —
    /// at a high limit, a minute of requests per request (28k req/s fell to 1k within seconds).
    private let logs = Mutex<[LogKey: Log]>([:])

    /// A rule's counter: its scope and name as they are (a key made by joining them cost a few strings per request).
    private struct LogKey: Hashable {
        let scope: String
        let name: String
        let tokens: Bool

        init(_ rule: RateLimitRule, tokens: Bool) {
            scope = rule.scope
            name = rule.name
            self.tokens = tokens
        }
    }

    func acquire(_ rule: RateLimitRule, id: String, tokens: Int) async throws -> RateLimitDecision {
        let now = ContinuousClock.now
        return logs.withLock { logs in
            let requestKey = LogKey(rule, tokens: false)
            let tokenKey = LogKey(rule, tokens: true)
            // Each log is reached twice through the dictionary, both times in place: to prune, then to record.
            let requestsHeld = logs[requestKey, default: Log()].prune(before: now - rule.window)
            let tokensHeld = logs[tokenKey, default: Log()].prune(before: now - rule.window)
            var allowed = true
            if let limit = rule.requests, requestsHeld + 1 > limit { allowed = false }
            if let limit = rule.tokens, tokensHeld.addingSaturated(tokens) > limit { allowed = false }
            let requests = logs[requestKey, default: Log()].record(
                allowed && rule.requests != nil ? Entry(time: now, id: id, amount: 1) : nil,
                window: rule.window,
                now: now
            )
            let tokenLog = logs[tokenKey, default: Log()].record(
                allowed && rule.tokens != nil ? Entry(time: now, id: id, amount: tokens) : nil,
                window: rule.window,
                now: now
            )
            return RateLimitDecision(
                allowed: allowed,
                requestsUsed: requests.used,
                requestsReset: requests.reset,
                tokensUsed: tokenLog.used,
                tokensReset: tokenLog.reset
            )
        }
    }

    func settle(_ rule: RateLimitRule, id: String, tokens: Int) async throws {
        logs.withLock { logs in logs[LogKey(rule, tokens: true)]?.settle(id: id, amount: tokens) }
    }
}
