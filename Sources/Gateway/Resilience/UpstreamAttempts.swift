import Foundation

/// Retries and failover across a model's deployments: each deployment is tried up to its provider's
/// `max_retries` more times on a retryable failure (connect error, timeout, 408, 429, 5xx, 529, an
/// unreadable answer), with exponential backoff and jitter or the upstream's `Retry-After`; then the next
/// deployment. A 429 moves on to the next deployment at once when there is one. A failure that is the
/// client's own (400, 401, 404, …) ends the request at once. No attempt or backoff starts after the
/// request's time limit (`server.timeout_seconds`).
///
/// Only what happens before the first byte reaches the client is retried; callers keep it that way by
/// running just the request and the wait for the first chunk inside `attempt`. A deployment whose
/// ``CircuitBreaker`` is open (or which a `Retry-After` holds back) is skipped; when every one is, the
/// request fails at once: 429 with `Retry-After` when they are only rate limited, 503 otherwise.
struct UpstreamAttempts: Sendable {
    /// The longest a request may spend on attempts and backoff.
    var requestTimeout: Duration = .seconds(300)
    /// First backoff; doubled per retry, with ±50 % jitter, up to `maximumBackoff`.
    var initialBackoff: Duration = .milliseconds(100)
    var maximumBackoff: Duration = .seconds(2)
    /// The longest `Retry-After` waited for; a longer one moves on to the next deployment instead.
    var maximumRetryAfter: Duration = .seconds(10)
    /// Providers' own rate limits; a deployment whose provider is at its limit is skipped like a throttled one.
    var limiter: RateLimiter?

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

    /// - Parameter tokens: the request's token estimate, reserved against providers' token limits.
    func run<Value: Sendable>(
        routes: [Route],
        scope: RequestScope,
        tokens: Int,
        _ attempt: (Route, AttemptSpan) async throws(GatewayError) -> Value
    ) async throws(Failure) -> Success<Value> {
        let tracing = scope.tracing
        let deadline = ContinuousClock.now + requestTimeout
        var attempts = 0
        var reason: AttemptReason?
        var lastFailure: Failure?
        var throttled: (until: ContinuousClock.Instant, error: GatewayError)?
        for (index, route) in routes.enumerated() {
            func holdBack(_ hold: (until: ContinuousClock.Instant, error: GatewayError)) {
                if hold.until < throttled?.until ?? .now + .seconds(86400) { throttled = hold }
            }
            guard route.breaker.isAvailable() else {
                if let throttle = route.breaker.throttle() { holdBack(throttle) }
                continue
            }
            if let limiter, let refused = await limiter.admitProvider(route.provider.name, scope: scope, tokens: tokens) {
                route.metrics.provider.rateLimitExceeded.cell.increment()
                holdBack((.now + .seconds(refused.retryAfterSeconds), limiter.refusal(refused)))
                continue
            }
            guard route.breaker.permit() else { continue }
            if let previous = lastFailure, let from = previous.route {
                from.metrics.provider.recordFailover(to: route.provider.name)
                reason = .failover(from: from.provider.name, after: previous.error)
            }
            var backoff = initialBackoff
            for retry in 0...route.maxRetries {
                attempts += 1
                let span = tracing.startAttempt(number: attempts, reason: reason, outcome: scope.outcome)
                let started = ContinuousClock.now
                // Attempts and the backoff between them are the upstream's share of the request's time.
                defer { scope.outcome.addUpstreamTime(.now - started) }
                do {
                    let value = try await attempt(route, span)
                    let latency = ContinuousClock.now - started
                    route.breaker.recordSuccess(latency: latency)
                    route.latency.observe(latency)
                    return Success(value: value, route: route, attempts: attempts)
                } catch {
                    route.breaker.recordFailure(error)
                    lastFailure = Failure(error: error, route: route, attempts: attempts)
                    guard error.isRetryable else { throw Failure(error: error, route: route, attempts: attempts) }
                    if error.status == 429, routes[(index + 1)...].contains(where: { $0.breaker.isAvailable() }) { break }
                    guard retry < route.maxRetries, let wait = delay(after: error, backoff: backoff), .now + wait < deadline else { break }
                    route.metrics.provider.retries.cell.increment()
                    reason = .retry(after: error)
                    do {
                        try await Task.sleep(for: wait)
                    } catch {
                        throw Failure(error: .cancelled, route: route, attempts: attempts)
                    }
                    guard route.breaker.permit() else { break }
                    backoff = min(backoff * 2, maximumBackoff)
                }
            }
            if ContinuousClock.now >= deadline { break }
        }
        if let lastFailure { throw lastFailure }
        throw Failure(error: Self.nothingAvailable(throttled: throttled), route: nil, attempts: attempts)
    }

    /// How long to wait before retrying after `error`; nil when the upstream asked for longer than we wait.
    func delay(after error: GatewayError, backoff: Duration) -> Duration? {
        if let asked = Self.retryAfter(of: error) {
            return asked <= maximumRetryAfter ? asked : nil
        }
        return backoff * Double.random(in: 0.5...1.5)
    }

    /// The longest `Retry-After` the gateway reads: a day. Longer values (up to `1e300`) are clamped before
    /// any conversion, so an upstream cannot make the arithmetic trap.
    static let retryAfterCeiling = 86_400

    /// The upstream's `Retry-After` in seconds, when it sent one (clamped to ``retryAfterCeiling``).
    static func retryAfter(of error: GatewayError) -> Duration? {
        guard let header = error.retryAfter, let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return nil
        }
        return .milliseconds(Int(clamping: seconds * 1000, to: 0...(retryAfterCeiling * 1000)))
    }

    /// The answer when no deployment could be tried: the provider's own 429, with the time it has left to
    /// wait, when `Retry-After` holds them back; 503 when their breakers are open.
    static func nothingAvailable(throttled: (until: ContinuousClock.Instant, error: GatewayError)?) -> GatewayError {
        guard let throttled else {
            return .unavailable("Every deployment of this model is failing (circuit open); try again shortly.")
        }
        let seconds = String(max(1, Int(((throttled.until - .now) / .seconds(1)).rounded(.up))))
        switch throttled.error {
        case .upstreamStatus(let status, let message, let type, let code, _):
            return .upstreamStatus(status: status, message: message, type: type, code: code, retryAfter: seconds)
        case .rateLimited(let message, _):
            return .rateLimited(message: message, retryAfter: seconds)
        default:
            return throttled.error
        }
    }
}
