import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import Telemetry

/// ``UpstreamTransport`` over one pooled AsyncHTTPClient per provider.
///
/// One client per provider gives each its own connect and idle-read limits, and makes AsyncHTTPClient's
/// per-host connection limit the per-provider limit of `connection_pool.max_connections_per_provider`.
/// The request's first-byte limit is the client's deadline for the response head; its total limit is
/// checked as each body chunk arrives, and the idle limit bounds the wait between chunks.
public final class HTTPClientTransport: UpstreamTransport {
    private let client: HTTPClient

    public init(pool: ConnectionPoolConfig, timeouts: UpstreamTimeouts) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(
            connect: .nanoseconds(timeouts.connect.nanosecondsClamped),
            read: .nanoseconds(timeouts.idle.nanosecondsClamped)
        )
        configuration.connectionPool = .init(
            idleTimeout: .milliseconds(Int64(pool.idleTimeoutSeconds * 1000)),
            concurrentHTTP1ConnectionsPerHostSoftLimit: pool.maxConnectionsPerProvider
        )
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .automatic
        // The gateway records its own CLIENT span per attempt and sends `traceparent` itself; a second,
        // HTTP-level span and header from AsyncHTTPClient's instrumentation would only duplicate them.
        configuration.tracing.tracer = nil
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        var outbound = HTTPClientRequest(url: request.url)
        outbound.method = request.method
        outbound.headers = request.headers
        outbound.body = .bytes(request.body)
        let deadline = ContinuousClock.now + request.totalTimeout
        do {
            let response = try await client.execute(outbound, timeout: .nanoseconds(request.timeout.nanosecondsClamped))
            return UpstreamResponse(
                status: Int(response.status.code),
                headers: response.headers,
                body: UpstreamBody(CheckedBody(base: response.body, deadline: deadline))
            )
        } catch {
            throw UpstreamErrors.transport(error)
        }
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}

/// A response body with transport errors translated into ``GatewayError`` and the request's total
/// limit enforced at each chunk.
private struct CheckedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: HTTPClientResponse.Body
    let deadline: ContinuousClock.Instant

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let deadline: ContinuousClock.Instant

        mutating func next() async throws -> ByteBuffer? {
            let chunk: ByteBuffer?
            do {
                chunk = try await base.next()
            } catch {
                throw UpstreamErrors.transport(error)
            }
            if chunk != nil && ContinuousClock.now > deadline { throw GatewayError.upstreamTimeout }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), deadline: deadline) }
}
