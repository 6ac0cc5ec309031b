import NIOCore
import NIOHTTP1

/// One HTTP request to an upstream provider, already in that provider's wire format.
public struct UpstreamRequest: Sendable {
    public var url: String
    public var method: HTTPMethod
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// Time allowed until the response head and the first byte of its body arrive (for a stream, its
    /// first event).
    public var timeout: Duration
    /// Time allowed for the whole exchange, body included (checked as each chunk arrives).
    public var totalTimeout: Duration

    public init(
        url: String,
        method: HTTPMethod = .POST,
        headers: HTTPHeaders,
        body: ByteBuffer,
        timeout: Duration,
        totalTimeout: Duration? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.totalTimeout = totalTimeout ?? timeout
    }
}

/// An upstream's answer: status and head now, body as it arrives.
public struct UpstreamResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: UpstreamBody

    public init(status: Int, headers: HTTPHeaders, body: UpstreamBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The seam between the gateway and the network: ``PooledTransport`` in production, in-process
/// fakes in tests. Implementations throw ``GatewayError``.
public protocol UpstreamTransport: Sendable {
    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse
    /// Releases connections; called once at shutdown.
    func shutdown() async throws
}
