import NIOCore

extension UpstreamBody {
    /// The most of an upstream body the gateway holds in memory.
    static let maxCollectedBytes = 64 * 1024 * 1024

    /// The whole body, up to ``maxCollectedBytes``; every failure is a ``GatewayError``.
    func collected() async throws(GatewayError) -> ByteBuffer {
        do {
            return try await collect(upTo: Self.maxCollectedBytes)
        } catch let error as GatewayError {
            throw error
        } catch {
            throw UpstreamErrors.transport(error)
        }
    }
}

extension UpstreamResponse {
    /// The whole body of a 2xx answer; any other status becomes its error (``UpstreamErrors/from(status:body:retryAfter:)``).
    func successBody() async throws(GatewayError) -> ByteBuffer {
        let collected = try await body.collected()
        guard (200..<300).contains(status) else { throw error(body: collected) }
        return collected
    }

    /// The body of a 2xx answer as it arrives; any other status becomes its error.
    func successStream() async throws(GatewayError) -> UpstreamBody {
        guard (200..<300).contains(status) else { throw error(body: try await body.collected()) }
        return body
    }

    private func error(body: ByteBuffer) -> GatewayError {
        UpstreamErrors.from(status: status, body: body, retryAfter: headers.first(name: "retry-after"))
    }
}
