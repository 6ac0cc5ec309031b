import Foundation

/// Retries and failover across a model's deployments: each deployment is tried up to its provider's
/// `max_retries` more times on a retryable failure (connect error, timeout, 408, 429, 5xx, 529), with
/// exponential backoff and jitter or the upstream's `Retry-After`; then the next deployment. A failure
/// that is the client's own (400, 401, 404, …) ends the request at once.
///
/// Only what happens before the first byte reaches the client is retried; callers keep it that way by
/// running just the request and the wait for the first chunk inside `attempt`. A deployment whose
/// ``CircuitBreaker`` is open is skipped; when every one is, the request fails at once with 503.
struct UpstreamAttempts: Sendable {
    /// First backoff; doubled per retry, with ±50 % jitter, up to `maximumBackoff`.
    var initialBackoff: Duration = .milliseconds(100)
    var maximumBackoff: Duration = .seconds(2)
    /// The longest `Retry-After` waited for; a longer one moves on to the next deployment instead.
    var maximumRetryAfter: Duration = .seconds(10)

    struct Success<Value: Sendable>: Sendable {
        var value: Value
        var route: Route
        var attempts: Int
    }

    /// A failure after every allowed attempt, with how many were made and where the last went.
    struct Failure: Error, Sendable {
        var error: GatewayError
        var route: Route?
        var attempts: Int
    }

    func run<Value: Sendable>(
        routes: [Route],
        tracing: RequestTracing,
        _ attempt: (Route, AttemptSpan) async throws(GatewayError) -> Value
    ) async throws(Failure) -> Success<Value> {
        var attempts = 0
        var reason: AttemptReason?
        var lastFailure: Failure?
        for route in routes {
            guard route.breaker.permit() else { continue }
            if let previous = lastFailure, let from = previous.route {
                from.metrics.provider.recordFailover(to: route.provider.name)
                reason = .failover(from: from.provider.name, after: previous.error)
            }
            var backoff = initialBackoff
            for retry in 0...route.maxRetries {
                attempts += 1
                let span = tracing.startAttempt(number: attempts, reason: reason)
                do {
                    let value = try await attempt(route, span)
                    route.breaker.recordSuccess()
                    return Success(value: value, route: route, attempts: attempts)
                } catch {
                    route.breaker.recordFailure(error)
                    lastFailure = Failure(error: error, route: route, attempts: attempts)
                    guard error.isRetryable else { throw Failure(error: error, route: route, attempts: attempts) }
                    guard retry < route.maxRetries, let wait = delay(after: error, backoff: backoff),
                        route.breaker.permit()
                    else { break }
                    route.metrics.provider.retries.cell.increment()
                    reason = .retry(after: error)
                    do {
                        try await Task.sleep(for: wait)
                    } catch {
                        throw Failure(error: .cancelled, route: route, attempts: attempts)
                    }
                    backoff = min(backoff * 2, maximumBackoff)
                }
            }
        }
        throw lastFailure
            ?? Failure(
                error: .unavailable("Every deployment of this model is failing (circuit open); try again shortly."),
                route: nil,
                attempts: attempts
            )
    }

    /// How long to wait before retrying after `error`; nil when the upstream asked for longer than we wait.
    func delay(after error: GatewayError, backoff: Duration) -> Duration? {
        if let header = error.retryAfter, let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            let asked = Duration.milliseconds(Int64(seconds * 1000))
            return asked <= maximumRetryAfter ? asked : nil
        }
        return backoff * Double.random(in: 0.5...1.5)
    }
}
