import HTTPTypes
import HummingbirdCore
import NIOCore
import Telemetry

/// `GET /metrics` on the metrics port: the Prometheus exposition of the process's registry.
struct MetricsEndpoint: Sendable {
    let registry: MetricsRegistry

    func respond(to request: Request, writer: consuming ResponseWriter) async throws {
        guard request.uri.path == "/metrics" else {
            return try await ResponseWriting.error(.routeNotFound(request.uri.path), to: writer)
        }
        guard request.method == .get || request.method == .head else {
            return try await ResponseWriting.error(.methodNotAllowed, to: writer)
        }
        let body = ByteBuffer(bytes: registry.exposition())
        let headers: HTTPFields = [.contentType: MetricsRegistry.contentType, .contentLength: String(body.readableBytes)]
        try await writer.write(response: HTTPResponse(status: .ok, headerFields: headers), body: .init(byteBuffer: body))
    }
}
