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
    }

    private let logs = Mutex<[String: Log]>([:])

    func acquire(_ rule: RateLimitRule, id: String, tokens: Int) async throws -> RateLimitDecision {
        let now = ContinuousClock.now
        return logs.withLock { logs in
            let requestKey = rule.storageKey + ":requests"
            let tokenKey = rule.storageKey + ":tokens"
            var requests = logs[requestKey] ?? Log()
            var tokenLog = logs[tokenKey] ?? Log()
            requests.prune(before: now - rule.window)
            tokenLog.prune(before: now - rule.window)
            var allowed = true
            if let limit = rule.requests, requests.sum + 1 > limit { allowed = false }
            if let limit = rule.tokens, tokenLog.sum.addingSaturated(tokens) > limit { allowed = false }
            if allowed {
                if rule.requests != nil {
                    requests.entries.append(Entry(time: now, id: id, amount: 1))
                    requests.sum += 1
                }
                if rule.tokens != nil {
                    tokenLog.entries.append(Entry(time: now, id: id, amount: tokens))
                    tokenLog.sum += tokens
                }
            }
            logs[requestKey] = requests
            logs[tokenKey] = tokenLog
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
        logs.withLock { logs in
            let key = rule.storageKey + ":tokens"
            guard var log = logs[key], let index = log.entries[log.head...].lastIndex(where: { $0.id == id }) else { return }
            // Usage is clamped (TokenUsage.maximumCount) and reservations were admitted under the limit.
            log.sum += tokens - log.entries[index].amount
            log.entries[index].amount = tokens
            logs[key] = log
        }
    }
}
