import Foundation
import NIOCore
import NIOHTTP1

/// AWS Bedrock's Converse and ConverseStream, signed with SigV4 (credentials from `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; the provider's `region`), answers translated to OpenAI's shape.
struct BedrockProvider: ChatProvider {
    let name: String
    let type = ProviderType.bedrock
    let baseURL: String
    let signer: SigV4Signer?
    let timeouts: UpstreamTimeouts
    let transport: any UpstreamTransport
    let serverAddress: (host: String, port: Int)?

    init(name: String, config: ProviderConfig, timeouts: UpstreamTimeouts, transport: any UpstreamTransport) {
        self.name = name
        let region = config.region ?? "us-east-1"
        var base = config.baseURL ?? "https://bedrock-runtime.\(region).amazonaws.com"
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.signer = config.awsCredentials.map { SigV4Signer(credentials: $0, region: region, service: "bedrock") }
        self.timeouts = timeouts
        self.transport = transport
        self.serverAddress = ServerAddress.of(base)
    }

    /// A signed request to `path` (the model id encoded as one path segment).
    func request(path: String, method: HTTPMethod = .POST, body: ByteBuffer, accept: String, timeout: Duration? = nil) -> UpstreamRequest {
        let url = baseURL + path
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: accept)
        if let parsed = URL(string: url), let host = parsed.host {
            headers.add(name: "host", value: parsed.port.map { "\(host):\($0)" } ?? host)
        }
        if let signer, let parsed = URL(string: url) {
            let signed = signer.sign(
                method: method.rawValue,
                url: parsed,
                headers: headers.map { ($0.name, $0.value) },
                payload: Array(body.readableBytesView)
            )
            for (name, value) in signed { headers.add(name: name, value: value) }
        }
        if let trace = UpstreamTrace.context { headers.add(name: "traceparent", value: trace.traceparent) }
        return UpstreamRequest(
            url: url,
            method: method,
            headers: headers,
            body: body,
            timeout: timeout ?? timeouts.firstByte,
            totalTimeout: timeout ?? timeouts.total
        )
    }

    func chatCompletion(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderReply {
        let body = try BedrockConverseMapping.body(from: request.body, model: model)
        let path = "/model/\(model.addingPercentEncodingForPath())/converse"
        return try await BedrockConverseMapping.reply(
            from: transport.exchange(self.request(path: path, body: body, accept: "application/json")),
            model: model
        )
    }

    func chatCompletionStream(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderStream {
        let body = try BedrockConverseMapping.body(from: request.body, model: model)
        let path = "/model/\(model.addingPercentEncodingForPath())/converse-stream"
        let response = try await transport.exchange(self.request(path: path, body: body, accept: "application/vnd.amazon.eventstream"))
        guard (200..<300).contains(response.status) else {
            let body = try await response.body.collected()
            throw UpstreamErrors.from(status: response.status, body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        let summary = StreamSummary()
        return ProviderStream(
            events: UpstreamBody(
                TranslatedStream(
                    base: response.body,
                    decoder: BedrockStreamDecoder(includeUsage: request.includeUsage, model: model),
                    summary: summary
                )
            ),
            summary: summary
        )
    }

    func embeddings(_ request: EmbeddingsRequest, model: String) async throws(GatewayError) -> ProviderReply {
        throw GatewayError.invalidRequest(
            message: "Embeddings are not offered through the bedrock provider type yet; route this model elsewhere.",
            param: "model"
        )
    }

    /// Bedrock's runtime has no free listing call; a signed Converse with one output token would cost money,
    /// so the probe only checks that the endpoint answers TLS and HTTP (any status but 5xx).
    func probe(timeout: Duration) async throws(GatewayError) {
        let response = try await transport.exchange(
            request(path: "/", method: .GET, body: ByteBuffer(), accept: "application/json", timeout: timeout)
        )
        _ = try? await response.body.collected()
        if response.status >= 500 { throw UpstreamErrors.from(status: response.status, body: ByteBuffer(), retryAfter: nil) }
    }
}
