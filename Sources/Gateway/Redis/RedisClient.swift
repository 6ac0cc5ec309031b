import Crypto
import Logging
import ServiceLifecycle
import Synchronization
import Telemetry

/// A pool of pipelined Redis connections: lazy connect (AUTH and SELECT from the URL), reconnect with
/// exponential backoff, a timeout on every command, EVALSHA with the script sent again on NOSCRIPT.
///
/// While a connection is down and its backoff has not passed, commands fail at once instead of waiting:
/// callers (rate limits, cache) decide what a missing answer means. As a service it pings Redis every
/// couple of seconds so `/health` and `llm_redis_up` notice an outage, and a recovery, without traffic.
public final class RedisClient: Service, Sendable {
    private final class Slot: Sendable {
        struct State {
            var connection: RedisConnection?
            var connecting: Task<RedisConnection, any Error>?
            var retryAt: ContinuousClock.Instant?
            var backoff: Duration = .milliseconds(100)
        }
        let state = Mutex(State())
    }

    /// Per-command metric handles, resolved once (commands outside the list are labelled `other`).
    private struct Signals: Sendable {
        static let commands = ["EVALSHA", "EVAL", "GET", "SET", "PING", "AUTH", "SELECT", "other"]
        let durations: [String: HistogramCell]
        let errors: [String: CounterCell]
        let up: GaugeCell
    }

    let endpoint: RedisEndpoint
    private let slots: [Slot]
    private let next = Atomic<Int>(0)
    private let commandTimeout: Duration
    private let healthy = Atomic<Bool>(true)
    private let signals: Signals
    private let logger: Logger

    init(endpoint: RedisEndpoint, poolSize: Int, commandTimeout: Duration, registry: MetricsRegistry, logger: Logger) {
        self.endpoint = endpoint
        self.slots = (0..<max(1, poolSize)).map { _ in Slot() }
        self.commandTimeout = commandTimeout
        self.logger = logger
        let durations = registry.histogram(MetricCatalog.redisCommandDuration)
        let errors = registry.counter(MetricCatalog.redisErrorsTotal)
        signals = Signals(
            durations: Dictionary(uniqueKeysWithValues: Signals.commands.map { ($0, durations.labels($0)) }),
            errors: Dictionary(uniqueKeysWithValues: ["connection", "timeout", "reply", "protocol"].map { ($0, errors.labels($0)) }),
            up: registry.gauge(MetricCatalog.redisUp).labels()
        )
        signals.up.set(1)
    }

    /// Whether the last command (or ping) got an answer.
    public var isHealthy: Bool { healthy.load(ordering: .relaxed) }

    /// Runs one command; an error reply is thrown as ``RedisError/reply(_:)``.
    func send(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        let started = ContinuousClock.now
        let name = Signals.commands.contains(arguments.first ?? "") ? arguments[0] : "other"
        let reply: RedisValue
        do throws(RedisError) {
            reply = try await connection().send(arguments)
        } catch {
            signals.durations[name]?.observe(ContinuousClock.now - started)
            signals.errors[error.kind]?.increment()
            markHealthy(false)
            throw error
        }
        signals.durations[name]?.observe(ContinuousClock.now - started)
        markHealthy(true)
        if case .error(let message) = reply {
            signals.errors["reply"]?.increment()
            throw .reply(message)
        }
        return reply
    }

    /// Runs a Lua script by its SHA-1, sending the source only when the server does not have it yet.
    func eval(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisValue {
        let tail = [String(keys.count)] + keys + arguments
        do {
            return try await send(["EVALSHA", script.sha1] + tail)
        } catch .reply(let message) where message.hasPrefix("NOSCRIPT") {
            return try await send(["EVAL", script.source] + tail)
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await self.send(["PING"])
                try? await Task.sleep(for: .seconds(2))
            }
        }
        for slot in slots {
            slot.state.withLock { $0.connection }?.close()
        }
    }

    private func markHealthy(_ value: Bool) {
        guard healthy.exchange(value, ordering: .relaxed) != value else { return }
        signals.up.set(value ? 1 : 0)
        if value {
            logger.notice("redis reachable again", metadata: ["redis_host": "\(endpoint.host)"])
        } else {
            logger.error("redis unreachable", metadata: ["redis_host": "\(endpoint.host)"])
        }
    }

    /// A live connection from the pool (round robin), connecting if needed; fails at once during a backoff.
    private func connection() async throws(RedisError) -> RedisConnection {
        let slot = slots[next.wrappingAdd(1, ordering: .relaxed).oldValue % slots.count]
        enum Next {
            case ready(RedisConnection)
            case wait(Task<RedisConnection, any Error>)
            case refuse
        }
        let action = slot.state.withLock { state -> Next in
            if let connection = state.connection, connection.isActive { return .ready(connection) }
            if let connecting = state.connecting { return .wait(connecting) }
            if let retryAt = state.retryAt, ContinuousClock.now < retryAt { return .refuse }
            let task = Task { try await self.open(slot) }
            state.connecting = task
            return .wait(task)
        }
        switch action {
        case .ready(let connection): return connection
        case .refuse: throw .unavailable("reconnecting after a failure")
        case .wait(let task):
            do {
                return try await task.value
            } catch let error as RedisError {
                throw error
            } catch {
                throw .unavailable(String(describing: error))
            }
        }
    }

    /// Connects one slot and logs in; records the outcome in the slot (backoff on failure).
    private func open(_ slot: Slot) async throws -> RedisConnection {
        do {
            let connection = try await RedisConnection.connect(
                host: endpoint.host,
                port: endpoint.port,
                timeout: commandTimeout * 5,
                commandTimeout: commandTimeout
            )
            if let password = endpoint.password {
                let auth = try await connection.send(["AUTH"] + (endpoint.username.map { [$0] } ?? []) + [password])
                if case .error(let message) = auth {
                    connection.close()
                    throw RedisError.reply(message)
                }
            }
            if endpoint.database != 0, case .error(let message) = try await connection.send(["SELECT", String(endpoint.database)]) {
                connection.close()
                throw RedisError.reply(message)
            }
            slot.state.withLock {
                $0.connection = connection
                $0.connecting = nil
                $0.retryAt = nil
                $0.backoff = .milliseconds(100)
            }
            return connection
        } catch {
            slot.state.withLock {
                $0.connecting = nil
                $0.retryAt = .now + $0.backoff
                $0.backoff = min($0.backoff * 2, .seconds(5))
            }
            throw (error as? RedisError) ?? .unavailable(String(describing: error))
        }
    }
}

/// A Lua script with its SHA-1, as EVALSHA needs it.
struct RedisScript: Sendable {
    let source: String
    let sha1: String

    init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
