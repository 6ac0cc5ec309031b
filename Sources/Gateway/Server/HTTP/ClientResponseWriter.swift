import HTTPTypes
import NIOCore

/// Writes the one response a request gets. Not copyable: a response has one writer, used once.
struct ClientResponseWriter: ~Copyable, Sendable {
    private let connection: HTTPConnectionHandler
    private let exchange: HTTPConnectionHandler.Exchange

    init(connection: HTTPConnectionHandler, exchange: HTTPConnectionHandler.Exchange) {
        self.connection = connection
        self.exchange = exchange
    }

    /// Writes a whole response, head, body and end, in one flush.
    consuming func write(_ response: HTTPResponse, body: ByteBuffer) async throws {
        try await connection.send(exchange, head: response, body: body, end: true)
    }

    /// Writes the head of a response whose body follows through the returned writer. The head goes out
    /// with the first body part (one packet for a stream's head and first event).
    consuming func writeHead(_ response: HTTPResponse) async throws -> ClientBodyWriter {
        try await connection.send(exchange, head: response, body: nil, end: false)
        return ClientBodyWriter(connection: connection, exchange: exchange)
    }
}

/// Writes a response body part by part, each flushed as written; a write waits while the client is slower
/// than the body (the connection's send buffer is full).
struct ClientBodyWriter: Sendable {
    fileprivate let connection: HTTPConnectionHandler
    fileprivate let exchange: HTTPConnectionHandler.Exchange

    /// Not inlined: a stream's relay writes from several places, and each inlined write would keep its own
    /// room in the relay's context for the stream's whole life; called, one context comes and goes per write.
    @inline(never)
    func write(_ part: ByteBuffer) async throws {
        try await connection.send(exchange, head: nil, body: part, end: false)
    }

    /// Ends the response.
    @inline(never)
    consuming func finish() async throws {
        try await connection.send(exchange, head: nil, body: nil, end: true)
    }
}
