import Logging
import Telemetry

/// Writes the one access line per request: method, route, status, duration, provider, model, stream,
/// tokens, cache, attempts, client key alias (never the key) and error type. Probes log at debug so
/// they do not drown the requests.
enum AccessLog {
    static func write(scope: RequestScope, method: String, route: APIRoute, status: Int, duration: Duration) {
        let details = scope.outcome.details
        let level: Logger.Level = route.isProbe ? .debug : .info
        typealias Field = JSONLogHandler.Field
        // In key order, as the line lists them: the handler then need not sort.
        var fields: [Field] = []
        fields.reserveCapacity(20)
        fields.append(Field("attempts", String(details.attempts)))
        fields.append(Field("cache", details.cache?.rawValue ?? "off"))
        if let client = scope.clientName { fields.append(Field("client", client, trusted: false)) }
        if let completion = details.completion { fields.append(Field("completion", completion, trusted: false)) }
        fields.append(Field("duration_s", String(duration.seconds)))
        if let errorType = details.errorType { fields.append(Field("error_type", errorType)) }
        fields.append(Field("method", method))
        if let model = details.model { fields.append(Field("model", model, trusted: false)) }
        if let prompt = details.prompt { fields.append(Field("prompt", prompt, trusted: false)) }
        if let provider = details.provider { fields.append(Field("provider", provider)) }
        if let verdict = details.rateLimit { fields.append(Field("rate_limit", "\(verdict.rule.scope):\(verdict.result)", trusted: false)) }
        fields.append(Field("request_id", scope.requestID))
        fields.append(Field("route", route.rawValue))
        fields.append(Field("span_id", scope.trace.spanID))
        fields.append(Field("status", String(status)))
        fields.append(Field("stream", details.stream ? "true" : "false"))
        if let usage = details.usage {
            fields.append(Field("tokens_in", String(usage.promptTokens)))
            fields.append(Field("tokens_out", String(usage.completionTokens)))
        }
        fields.append(Field("trace_id", scope.trace.traceID))
        guard let json = scope.fixed.baseLogger.handler as? JSONLogHandler else {
            // Any other handler (the text format) gets the same fields, ids included, as swift-log metadata.
            let metadata = Logger.Metadata(fields.map { ($0.key, .string($0.value)) }, uniquingKeysWith: { $1 })
            return scope.fixed.baseLogger.log(level: level, "request", metadata: metadata)
        }
        json.log(level: level, message: "request", fields: fields)
    }
}
