/// One RESP reply, as hiredis' reader decodes it.
public enum RedisValue: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk(String)
    case null
    case array([RedisValue])

    var int: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let text), .status(let text): Int64(text)
        default: nil
        }
    }

    var string: String? {
        switch self {
        case .bulk(let text), .status(let text): text
        case .integer(let value): String(value)
        default: nil
        }
    }
}

/// Why a Redis command did not produce a reply.
public enum RedisError: Error, Sendable, Equatable {
    /// No connection could be made (or the last attempt failed and the backoff has not passed).
    case unavailable(String)
    /// The command did not answer within the command timeout.
    case timeout
    /// The connection broke with the command in flight.
    case connectionClosed
    /// The server answered with an error reply.
    case reply(String)
    /// The bytes from the server are not RESP.
    case protocolError

    /// The `kind` label of `llm_redis_errors_total`.
    var kind: String {
        switch self {
        case .unavailable, .connectionClosed: "connection"
        case .timeout: "timeout"
        case .reply: "reply"
        case .protocolError: "protocol"
        }
    }
}
