import HTTPTypes
import NIOCore
import Telemetry

/// `GET /metrics` on the metrics port: Prometheus text 0.0.4, or OpenMetrics with exemplars when
/// the scraper's `Accept` asks for it.
struct MetricsEndpoint: Sendable {
    let registry: MetricsRegistry

    func respond(to request: ServerRequest, writer: consuming ClientResponseWriter) async throws {
        guard request.path == "/metrics" else {
            return try await ResponseWriting.error(.routeNotFound(request.path), to: writer)
        }
        guard request.method == .get || request.method == .head else {
            return try await ResponseWriting.error(.methodNotAllowed, to: writer)
        }
        let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
        let body = ByteBuffer(bytes: registry.exposition(format: format))
        let headers: HTTPFields = [.contentType: format.contentType, .contentLength: String(body.readableBytes)]
        try await writer.write(HTTPResponse(status: .ok, headerFields: headers), body: body)
    }
}
