import NIOCore
import Telemetry

/// Every way a request can fail, and the one place that knows each failure's HTTP status,
/// OpenAI error `type`/`code`, retryability and `error_type` metric label. Nothing else invents status codes.
///
/// The cases with several fields are `indirect`: a failure is rare, but every typed-throwing call reserves
/// room for one in its async frame, so the enum is kept to two words and a tag.
public enum GatewayError: Error, Sendable, Equatable {
    /// The client sent something we cannot serve (400); `param` names the offending field.
    indirect case invalidRequest(message: String, param: String? = nil)
    /// Missing or wrong bearer key (401).
    case invalidAPIKey
    /// No configured model or `provider/model` route matches (404).
    case modelNotFound(String)
    /// The model is outside the data-residency allow-list (403).
    case modelNotAllowed(String)
    /// No such endpoint (404).
    case routeNotFound(String)
    /// No stored response with this id for this client key (404).
    case responseNotFound(String)
    case methodNotAllowed
    /// Body larger than `server.max_body_bytes` (413).
    case payloadTooLarge(limit: Int)
    /// The upstream answered with an error status; its message and `Retry-After` are kept. Clients see
    /// the message of a 4xx redacted, and a generic one for a 5xx (see ``message``).
    indirect case upstreamStatus(status: Int, message: String, type: String?, code: String?, retryAfter: String?)
    /// The upstream refused the gateway's own credentials (its 401 or 403): the operator's problem, not the
    /// client's, so it is a 502 `upstream_auth_error` and the upstream's text stays in the logs.
    indirect case upstreamAuth(status: Int, detail: String)
    /// Connecting to the upstream failed or the connection broke (502).
    case upstreamUnreachable(String)
    /// The upstream answered with something that is not its documented format (502).
    case invalidUpstreamResponse(String)
    /// The upstream did not answer in time (504).
    case upstreamTimeout
    /// A rate limit of the gateway's own (a client key's, or a provider's for every deployment) is used up (429).
    indirect case rateLimited(message: String, retryAfter: String)
    /// The client key's budget (`auth.api_keys[].budget`) is used up until its period ends (429,
    /// OpenAI's `insufficient_quota`); `retryAfter` is the seconds until then.
    indirect case budgetExceeded(message: String, retryAfter: String)
    /// The gateway is shutting down or has nothing to route to (503).
    case unavailable(String)
    /// The client went away; nothing is sent.
    case cancelled

    public var status: Int {
        switch self {
        case .invalidRequest: 400
        case .invalidAPIKey: 401
        case .modelNotAllowed: 403
        case .modelNotFound, .routeNotFound, .responseNotFound: 404
        case .methodNotAllowed: 405
        case .payloadTooLarge: 413
        case .upstreamStatus(let status, _, _, _, _): status
        case .rateLimited, .budgetExceeded: 429
        case .upstreamUnreachable, .invalidUpstreamResponse, .upstreamAuth: 502
        case .upstreamTimeout: 504
        case .unavailable: 503
        case .cancelled: 499
        }
    }

    public var message: String { message(provider: nil) }

    /// The client's message, naming the provider (never its address) when the failure is the upstream's.
    public func message(provider: String?) -> String {
        let upstream = provider.map { "The upstream provider '\($0)'" } ?? "The upstream provider"
        switch self {
        case .invalidRequest(let message, _): return message
        case .invalidAPIKey: return "Incorrect or missing API key. Send it as 'Authorization: Bearer <key>'."
        case .modelNotFound(let model): return "The model '\(model)' does not exist or you do not have access to it."
        case .modelNotAllowed(let model): return "The model '\(model)' is not allowed by this gateway's data-residency policy."
        case .routeNotFound(let path): return "Unknown request URL: \(path)."
        case .responseNotFound(let id): return "No response found with id '\(id)'."
        case .methodNotAllowed: return "Method not allowed for this URL."
        case .payloadTooLarge(let limit): return "Request body is larger than the limit of \(limit) bytes."
        case .upstreamStatus(let status, let message, _, _, _):
            return status >= 500 ? "\(upstream) failed with HTTP \(status)." : Self.redactor.redact(message)
        case .upstreamAuth: return "\(upstream) refused the gateway's credentials; the gateway's operators must fix its configuration."
        case .rateLimited(let message, _), .budgetExceeded(let message, _): return message
        case .upstreamUnreachable: return "\(upstream) could not be reached."
        case .invalidUpstreamResponse(let detail): return "\(upstream) sent an invalid response: \(detail)"
        case .upstreamTimeout: return "\(upstream) did not answer in time."
        case .unavailable(let reason): return reason
        case .cancelled: return "The client closed the request."
        }
    }

    /// What the logs get: the whole story, the upstream's own text and the transport's detail included
    /// (the log handler redacts it). ``message`` is what the client gets.
    public var logDetail: String {
        switch self {
        case .upstreamStatus(let status, let message, _, _, _): "HTTP \(status): \(message)"
        case .upstreamAuth(let status, let detail): "the upstream refused the gateway's credentials with HTTP \(status): \(detail)"
        case .upstreamUnreachable(let detail): "the upstream provider could not be reached: \(detail)"
        default: message
        }
    }

    /// Whether the client's message was reduced to a generic one (the request id then says where to look).
    public var isSanitized: Bool {
        switch self {
        case .upstreamStatus(let status, _, _, _, _): status >= 500
        case .upstreamAuth, .upstreamUnreachable: true
        default: false
        }
    }

    /// Redacts keys, tokens and personal data from upstream texts that reach clients.
    private static let redactor = LogRedactor()

    /// OpenAI's `error.type`.
    public var type: String {
        switch self {
        case .invalidRequest, .invalidAPIKey, .modelNotFound, .routeNotFound, .responseNotFound, .methodNotAllowed, .payloadTooLarge:
            "invalid_request_error"
        case .modelNotAllowed: "permission_error"
        case .upstreamStatus(let status, _, let type, _, _):
            type ?? (status == 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error")
        case .upstreamUnreachable, .invalidUpstreamResponse, .upstreamTimeout, .upstreamAuth: "api_error"
        case .rateLimited: "rate_limit_error"
        case .budgetExceeded: "insufficient_quota"
        case .unavailable: "service_unavailable"
        case .cancelled: "cancelled"
        }
    }

    /// OpenAI's `error.code`.
    public var code: String? {
        switch self {
        case .invalidRequest: nil
        case .invalidAPIKey: "invalid_api_key"
        case .modelNotFound: "model_not_found"
        case .modelNotAllowed: "model_not_allowed"
        case .routeNotFound: "unknown_url"
        case .responseNotFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .payloadTooLarge: "request_too_large"
        case .upstreamStatus(let status, _, _, let code, _): code ?? (status == 429 ? "rate_limit_exceeded" : nil)
        case .rateLimited: "rate_limit_exceeded"
        case .budgetExceeded: "insufficient_quota"
        case .upstreamUnreachable: "upstream_unreachable"
        case .upstreamAuth: "upstream_auth_error"
        case .invalidUpstreamResponse: "upstream_invalid_response"
        case .upstreamTimeout: "upstream_timeout"
        case .unavailable: "service_unavailable"
        case .cancelled: nil
        }
    }

    public var param: String? {
        if case .invalidRequest(_, let param) = self { return param }
        return nil
    }

    /// `Retry-After` to send back, when the upstream gave one.
    public var retryAfter: String? {
        switch self {
        case .upstreamStatus(_, _, _, _, let retryAfter): retryAfter
        case .rateLimited(_, let retryAfter), .budgetExceeded(_, let retryAfter): retryAfter
        default: nil
        }
    }

    /// Whether another attempt (same or other deployment) may succeed.
    public var isRetryable: Bool {
        switch self {
        case .upstreamStatus(let status, _, _, _, _): [408, 429, 500, 502, 503, 504, 529].contains(status)
        case .upstreamUnreachable, .upstreamTimeout, .invalidUpstreamResponse, .upstreamAuth: true
        default: false
        }
    }

    /// Whether the failure says something about the provider's health (it failed or answered nonsense), as
    /// opposed to the client's mistake or the client going away.
    public var indicatesProviderFault: Bool { isRetryable }

    /// Every value ``errorTypeLabel`` can take, in a fixed order (handle tables are indexed by it).
    public static let errorTypeLabels = ["timeout", "connection", "rate_limited", "server_error", "client_error", "invalid_response", "cancelled"]

    /// The position of ``errorTypeLabel`` in ``errorTypeLabels``.
    public var errorTypeIndex: Int {
        switch errorTypeLabel {
        case "timeout": 0
        case "connection": 1
        case "rate_limited": 2
        case "server_error": 3
        case "client_error": 4
        case "invalid_response": 5
        default: 6
        }
    }

    /// The bounded `error_type` label of `llm_provider_errors_total`.
    public var errorTypeLabel: String {
        switch self {
        case .upstreamTimeout: "timeout"
        case .upstreamUnreachable: "connection"
        case .upstreamStatus(let status, _, _, _, _):
            status == 429 ? "rate_limited" : status >= 500 ? "server_error" : "client_error"
        case .upstreamAuth: "client_error"
        case .invalidUpstreamResponse: "invalid_response"
        case .rateLimited, .budgetExceeded: "rate_limited"
        case .cancelled: "cancelled"
        default: "client_error"
        }
    }
}
