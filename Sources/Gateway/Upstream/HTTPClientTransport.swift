import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import Telemetry

/// ``UpstreamTransport`` over one pooled AsyncHTTPClient shared by every provider.
///
/// Providers live on different hosts, so AsyncHTTPClient's per-host connection limit is the
/// per-provider limit of `connection_pool.max_connections_per_provider`.
public final class HTTPClientTransport: UpstreamTransport {
    private let client: HTTPClient

    public init(pool: ConnectionPoolConfig, readTimeout: Duration) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(
            connect: .milliseconds(Int64(pool.connectTimeoutSeconds * 1000)),
            read: .nanoseconds(readTimeout.nanosecondsClamped)
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
        do {
            let response = try await client.execute(outbound, timeout: .nanoseconds(request.timeout.nanosecondsClamped))
            return UpstreamResponse(
                status: Int(response.status.code),
                headers: response.headers,
                body: UpstreamBody(response.body.mapErrors())
            )
        } catch {
            throw Self.translate(error)
        }
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Maps AsyncHTTPClient and NIO errors onto the gateway's error kinds.
    static func translate(_ error: any Error) -> GatewayError {
        if let error = error as? GatewayError { return error }
        if error is CancellationError { return .cancelled }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .upstreamTimeout
            case .connectTimeout: return .upstreamUnreachable("connect timeout")
            case .cancelled: return .cancelled
            default: return .upstreamUnreachable(String(describing: error))
            }
        }
        return .upstreamUnreachable(String(describing: error))
    }
}

extension HTTPClientResponse.Body {
    /// The body with transport errors translated into ``GatewayError``.
    fileprivate func mapErrors() -> ErrorMappingBody {
        ErrorMappingBody(base: self)
    }
}

private struct ErrorMappingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: HTTPClientResponse.Body

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch {
                throw HTTPClientTransport.translate(error)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }
}
