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

        mutating func prune(before cutoff: ContinuousClock.Instant) {
            while head < entries.count, entries[head].time <= cutoff {
                sum -= entries[head].amount
                head += 1
            }
            if head > 1024 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
        }

        func reset(window: Duration, now: ContinuousClock.Instant) -> Duration {
            head < entries.count ? entries[head].time + window - now : .zero
        }

        mutating func add(_ entry: Entry) {
            entries.append(entry)
            sum += entry.amount
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
            logs[requestKey, default: Log()].prune(before: now - rule.window)
            logs[tokenKey, default: Log()].prune(before: now - rule.window)
            var allowed = true
            if let limit = rule.requests, (logs[requestKey]?.sum ?? 0) + 1 > limit { allowed = false }
            if let limit = rule.tokens, (logs[tokenKey]?.sum ?? 0).addingSaturated(tokens) > limit { allowed = false }
            if allowed {
                if rule.requests != nil { logs[requestKey, default: Log()].add(Entry(time: now, id: id, amount: 1)) }
                if rule.tokens != nil { logs[tokenKey, default: Log()].add(Entry(time: now, id: id, amount: tokens)) }
            }
            let requests = logs[requestKey] ?? Log()
            let tokenLog = logs[tokenKey] ?? Log()
            return RateLimitDecision(
                allowed: allowed,
                requestsUsed: requests.sum,
                requestsReset: requests.reset(window: rule.window, now: now),
                tokensUsed: tokenLog.sum,
                tokensReset: tokenLog.reset(window: rule.window, now: now)
            )
        }
    }

    func settle(_ rule: RateLimitRule, id: String, tokens: Int) async throws {
        logs.withLock { logs in logs[LogKey(rule, tokens: true)]?.settle(id: id, amount: tokens) }
    }
}
