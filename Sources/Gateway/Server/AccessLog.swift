import Logging
import Telemetry

/// Writes the one access line per request: method, route, status, duration, provider, model, stream,
/// tokens, cache, attempts, client key alias (never the key) and error type. Probes log at debug so
/// they do not drown the requests.
enum AccessLog {
    static func write(scope: RequestScope, method: String, route: APIRoute, status: Int, duration: Duration) {
        let details = scope.outcome.details
        var metadata: Logger.Metadata = [
            "method": "\(method)",
            "route": "\(route.rawValue)",
            "status": "\(status)",
            "duration_s": "\(duration.seconds)",
            "stream": "\(details.stream)",
            "attempts": "\(details.attempts)",
            "cache": "\(details.cache?.rawValue ?? "off")",
        ]
        if let provider = details.provider { metadata["provider"] = "\(provider)" }
        if let model = details.model { metadata["model"] = "\(model)" }
        if let usage = details.usage {
            metadata["tokens_in"] = "\(usage.promptTokens)"
            metadata["tokens_out"] = "\(usage.completionTokens)"
        }
        if let client = scope.clientName { metadata["client"] = "\(client)" }
        if let verdict = details.rateLimit { metadata["rate_limit"] = "\(verdict.rule.scope):\(verdict.result)" }
        if let errorType = details.errorType { metadata["error_type"] = "\(errorType)" }
        if let prompt = details.prompt { metadata["prompt"] = "\(prompt)" }
        if let completion = details.completion { metadata["completion"] = "\(completion)" }
        let level: Logger.Level = [.health, .healthLive, .healthReady].contains(route) ? .debug : .info
        scope.logger.log(level: level, "request", metadata: metadata)
    }
}
