import Logging
import Telemetry

/// Writes the one access line per request: method, route, status, duration, provider, model, stream,
/// tokens, cache, attempts, client key alias (never the key) and error type. Probes log at debug so
/// they do not drown the requests.
struct AccessLog: Sendable {
    private let logger: Logger
    /// The logger's handler when it is the JSON one: looked up once, not cast out of the logger per request.
    private let json: JSONLogHandler?

    init(logger: Logger) {
        self.logger = logger
        json = logger.handler as? JSONLogHandler
    }

    /// The level `route`'s line is written at, or nil when the logger drops lines of that level (then nothing of
    /// the line need be gathered).
    func level(for route: APIRoute) -> Logger.Level? {
        let level: Logger.Level = route.isProbe ? .debug : .info
        return level >= logger.logLevel ? level : nil
    }

    /// Writes the line at `level`, which ``level(for:)`` gave.
    func write(
        at level: Logger.Level,
        scope: RequestScope,
        details: RequestOutcome.Details,
        method: String,
        route: APIRoute,
        status: Int,
        duration: Duration
    ) {
        if let json, json.writesFieldsInPlace {
            return json.log(level: level, message: "request") { line in
                Self.fields(scope: scope, details: details, method: method, route: route, status: status, duration: duration, to: &line)
            }
        }
        var list = LogFieldList()
        Self.fields(scope: scope, details: details, method: method, route: route, status: status, duration: duration, to: &list)
        if let json {
            return json.log(level: level, message: "request", fields: list.fields)
        }
        // Any other handler (the text format) gets the same fields, ids included, as swift-log metadata.
        let metadata = Logger.Metadata(list.fields.map { ($0.key, .string($0.value)) }, uniquingKeysWith: { $1 })
        logger.log(level: level, "request", metadata: metadata)
    }

    /// The line's fields, in key order, as the line lists them (a JSON line is written as they come).
    private static func fields(
        scope: RequestScope,
        details: RequestOutcome.Details,
        method: String,
        route: APIRoute,
        status: Int,
        duration: Duration,
        to line: inout some LogFieldWriter & ~Copyable
    ) {
        line.field("attempts", details.attempts)
        line.field("cache", details.cache?.rawValue ?? "off")
        if let client = scope.clientName { line.field("client", client, trusted: false) }
        if let completion = details.completion { line.field("completion", completion, trusted: false) }
        if let cost = details.cost { line.field("cost_usd", cost.decimal) }
        line.field("duration_s", seconds: duration)
        if let errorType = details.errorType { line.field("error_type", errorType) }
        line.field("method", method)
        if let model = details.model { line.field("model", model, trusted: false) }
        if let prompt = details.prompt { line.field("prompt", prompt, trusted: false) }
        if let provider = details.provider { line.field("provider", provider) }
        if let verdict = details.rateLimit { line.field("rate_limit", "\(verdict.rule.scope):\(verdict.result)", trusted: false) }
        line.field("request_id", scope.requestID)
        line.field("route", route.rawValue)
        let trace = scope.trace
        line.field("span_id", id: trace.spanID)
        line.field("status", status)
        line.field("stream", details.stream ? "true" : "false")
        if let usage = details.usage {
            if usage.cacheCreationTokens > 0 { line.field("tokens_cache_creation", usage.cacheCreationTokens) }
            if usage.cacheReadTokens > 0 { line.field("tokens_cache_read", usage.cacheReadTokens) }
            line.field("tokens_in", usage.promptTokens)
            line.field("tokens_out", usage.completionTokens)
            if usage.reasoningTokens > 0 { line.field("tokens_reasoning", usage.reasoningTokens) }
        }
        line.field("trace_id", id: trace.traceID)
    }
}
