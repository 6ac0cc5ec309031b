/// The sliding-window logs of ``RateLimitStore`` in Redis, shared by every replica: one Lua script per
/// decision, so two replicas can never both take the last slot. Time is Redis' own clock (`TIME`), so
/// replicas with skewed clocks still agree on the window.
///
/// Per rule and counter: a sorted set of request ids by admission time, and a hash of their amounts with
/// the running sum under `_sum`; both expire after a window without traffic. Keys share a hash tag, so a
/// rule's keys live on one cluster slot.
struct RedisRateLimitStore: RateLimitStore {
    let client: RedisClient

    static let acquireScript = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[1])
        local limits = {tonumber(ARGV[2]), tonumber(ARGV[3])}
        local amounts = {1, tonumber(ARGV[4])}
        local id = ARGV[5]
        local used = {0, 0}
        for i = 1, 2 do
          if limits[i] > 0 then
            local log, sums = KEYS[2 * i - 1], KEYS[2 * i]
            local expired = redis.call('ZRANGEBYSCORE', log, '-inf', now - window)
            local sum = tonumber(redis.call('HGET', sums, '_sum') or '0')
            for _, member in ipairs(expired) do
              sum = sum - tonumber(redis.call('HGET', sums, member) or '0')
              redis.call('HDEL', sums, member)
            end
            if #expired > 0 then redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window) end
            used[i] = sum
          end
        end
        local allowed = 1
        for i = 1, 2 do
          if limits[i] > 0 and used[i] + amounts[i] > limits[i] then allowed = 0 end
        end
        local resets = {0, 0}
        for i = 1, 2 do
          if limits[i] > 0 then
            local log, sums = KEYS[2 * i - 1], KEYS[2 * i]
            if allowed == 1 then
              redis.call('ZADD', log, now, id)
              redis.call('HSET', sums, id, amounts[i])
              used[i] = used[i] + amounts[i]
            end
            redis.call('HSET', sums, '_sum', used[i])
            redis.call('PEXPIRE', log, window)
            redis.call('PEXPIRE', sums, window)
            local oldest = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
            if oldest[2] then resets[i] = tonumber(oldest[2]) + window - now end
          end
        end
        return {allowed, used[1], resets[1], used[2], resets[2]}
        """
    )

    static let settleScript = RedisScript(
        """
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        if old then
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          redis.call('HINCRBY', KEYS[1], '_sum', tonumber(ARGV[2]) - tonumber(old))
        end
        return 1
        """
    )

    static func keys(_ rule: RateLimitRule) -> [String] {
        let tag = "llm-gateway:rl:{\(rule.storageKey)}"
        return [tag + ":requests:log", tag + ":requests:sum", tag + ":tokens:log", tag + ":tokens:sum"]
    }

    func acquire(_ rule: RateLimitRule, id: String, tokens: Int) async throws -> RateLimitDecision {
        let windowMs = max(1, Int(rule.window.nanosecondsClamped / 1_000_000))
        let reply = try await client.eval(
            Self.acquireScript,
            keys: Self.keys(rule),
            arguments: [String(windowMs), String(rule.requests ?? 0), String(rule.tokens ?? 0), String(tokens), id]
        )
        guard case .array(let values) = reply, values.count == 5 else { throw RedisError.protocolError }
        let numbers = values.map { Int($0.int ?? 0) }
        return RateLimitDecision(
            allowed: numbers[0] == 1,
            requestsUsed: numbers[1],
            requestsReset: .milliseconds(numbers[2]),
            tokensUsed: numbers[3],
            tokensReset: .milliseconds(numbers[4])
        )
    }

    func settle(_ rule: RateLimitRule, id: String, tokens: Int) async throws {
        _ = try await client.eval(Self.settleScript, keys: [Self.keys(rule)[3]], arguments: [id, String(tokens)])
    }
}
