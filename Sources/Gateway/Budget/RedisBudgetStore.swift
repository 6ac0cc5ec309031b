/// Budget counters in Redis, shared by every replica: a reservation is one script that reads every counter,
/// refuses if one is at its limit and otherwise adds to all of them, so two replicas can never both spend
/// the last of a budget. Counters are integers (nanodollars, tokens) that expire a day after their period.
struct RedisBudgetStore: BudgetStore {
    let client: RedisClient

    /// KEYS: the counters; ARGV: their limits, then the amounts, then the expiry times (Unix seconds).
    static let reserveScript = RedisScript(
        """
        local n = #KEYS
        local totals = {}
        for i = 1, n do totals[i] = tonumber(redis.call('GET', KEYS[i]) or '0') end
        for i = 1, n do
          if totals[i] >= tonumber(ARGV[i]) then return {0, i, unpack(totals)} end
        end
        for i = 1, n do
          totals[i] = redis.call('INCRBY', KEYS[i], ARGV[n + i])
          redis.call('EXPIREAT', KEYS[i], ARGV[2 * n + i])
        end
        return {1, 0, unpack(totals)}
        """
    )

    /// KEYS: the counters; ARGV: the deltas, then the expiry times.
    static let adjustScript = RedisScript(
        """
        local n = #KEYS
        local totals = {}
        for i = 1, n do
          totals[i] = redis.call('INCRBY', KEYS[i], ARGV[i])
          redis.call('EXPIREAT', KEYS[i], ARGV[n + i])
        end
        return totals
        """
    )

    func reserve(_ counters: [BudgetCounter], amounts: [Int64]) async throws -> BudgetDecision {
        let arguments = counters.map { String($0.limit) } + amounts.map(String.init) + counters.map { String($0.expiresAt) }
        let reply = try await client.eval(Self.reserveScript, keys: counters.map(\.key), arguments: arguments)
        guard case .array(let values) = reply, values.count == counters.count + 2 else { throw RedisError.protocolError }
        let numbers = values.map { $0.int ?? 0 }
        return BudgetDecision(allowed: numbers[0] == 1, exhausted: numbers[0] == 1 ? nil : Int(numbers[1]) - 1, totals: Array(numbers.dropFirst(2)))
    }

    func adjust(_ counters: [BudgetCounter], by deltas: [Int64]) async throws -> [Int64] {
        let reply = try await client.eval(
            Self.adjustScript,
            keys: counters.map(\.key),
            arguments: deltas.map(String.init) + counters.map { String($0.expiresAt) }
        )
        guard case .array(let values) = reply, values.count == counters.count else { throw RedisError.protocolError }
        return values.map { $0.int ?? 0 }
    }

    func totals(_ counters: [BudgetCounter]) async throws -> [Int64] {
        let reply = try await client.send(["MGET"] + counters.map(\.key))
        guard case .array(let values) = reply, values.count == counters.count else { throw RedisError.protocolError }
        return values.map { $0.int ?? 0 }
    }
}
