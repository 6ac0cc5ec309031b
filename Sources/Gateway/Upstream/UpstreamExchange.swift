import Foundation

extension UpstreamTransport {
    /// Sends `request` with every failure expressed as a ``GatewayError``.
    func exchange(_ request: UpstreamRequest) async throws(GatewayError) -> UpstreamResponse {
        do {
            return try await send(request)
        } catch {
            throw UpstreamErrors.transport(error)
        }
    }

    /// A health probe: any answer but a failure status counts as alive; a 429 is busy, not down.
    func probe(_ request: UpstreamRequest) async throws(GatewayError) {
        let response = try await exchange(request)
        guard (200..<300).contains(response.status) || response.status == 429 else {
            let body = try await response.body.collected()
            throw UpstreamErrors.from(status: response.status, body: body, retryAfter: nil)
        }
        _ = try await response.body.collected()
    }
}

/// Host and port of a provider's base URL, for the `server.address` / `server.port` span attributes.
enum ServerAddress {
    static func of(_ url: String) -> (host: String, port: Int)? {
        guard let parsed = URL(string: url), let host = parsed.host else { return nil }
        return (host, parsed.port ?? (parsed.scheme == "http" ? 80 : 443))
    }
}
