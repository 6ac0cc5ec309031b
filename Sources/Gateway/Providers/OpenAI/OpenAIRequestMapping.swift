import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Builds upstream requests for servers that speak OpenAI's API (OpenAI, vLLM, Ollama, Azure OpenAI).
///
/// The client's body is forwarded as received; only `model` is replaced when the deployment's
/// model name differs from the public one.
struct OpenAIRequestMapping: Sendable {
    /// Where each operation goes and how the key is sent: the only part Azure does differently.
    let endpoint: any OpenAIEndpoint
    let timeouts: UpstreamTimeouts

    func request(
        operation: OpenAIOperation,
        body: ByteBuffer,
        requestedModel: String,
        model: String,
        stream: Bool
    ) throws(GatewayError) -> UpstreamRequest {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: stream ? "text/event-stream" : "application/json")
        endpoint.authorize(&headers)
        if let trace = UpstreamTrace.context {
            headers.add(name: "traceparent", value: trace.traceparent)
            if let state = trace.traceState, !state.isEmpty { headers.add(name: "tracestate", value: state) }
        }
        let outbound = model == requestedModel ? body : try ModelRewrite.replacing(in: body, with: model)
        return UpstreamRequest(
            url: endpoint.url(for: operation, model: model),
            headers: headers,
            body: outbound,
            timeout: timeouts.firstByte,
            totalTimeout: timeouts.total
        )
    }

    /// `GET` or `DELETE` of a response the server stores (its Responses API).
    func storedResponse(id: String, method: HTTPMethod) -> UpstreamRequest {
        let url = endpoint.url(for: .responses, model: "") + "/" + id.addingPercentEncodingForPath()
        return UpstreamRequest(
            url: url,
            method: method,
            headers: bodilessHeaders,
            body: ByteBuffer(),
            timeout: timeouts.firstByte,
            totalTimeout: timeouts.total
        )
    }

    /// The health probe: list the models (cheap, authenticated, no tokens spent).
    func probe(timeout: Duration) -> UpstreamRequest {
        UpstreamRequest(url: endpoint.modelsURL, method: .GET, headers: bodilessHeaders, body: ByteBuffer(), timeout: timeout)
    }

    /// Headers of a request without a body that expects JSON back: `accept` and the key.
    private var bodilessHeaders: HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "accept", value: "application/json")
        endpoint.authorize(&headers)
        return headers
    }
}

/// The operations the gateway forwards to OpenAI-compatible servers.
enum OpenAIOperation: String, Sendable {
    case chatCompletions = "chat/completions"
    case embeddings = "embeddings"
    /// The Responses API (`/v1/responses` passed through as the client sent it).
    case responses = "responses"
}

/// URL scheme and authentication of an OpenAI-compatible server.
protocol OpenAIEndpoint: Sendable {
    func url(for operation: OpenAIOperation, model: String) -> String
    /// Where the model list is (what the health probe asks for).
    var modelsURL: String { get }
    func authorize(_ headers: inout HTTPHeaders)
}

/// OpenAI itself and compatible servers: `{base}/v1/{operation}`, bearer key.
struct OpenAIPlatformEndpoint: OpenAIEndpoint {
    static let defaultBaseURL = "https://api.openai.com"
    /// The base URL with `/v1` appended unless the configured URL already ends with it (vLLM and Ollama docs use both forms).
    let root: String
    let apiKey: String?

    init(baseURL: String?, apiKey: String?) {
        var base = baseURL ?? Self.defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.root = base.hasSuffix("/v1") ? base : base + "/v1"
        self.apiKey = apiKey
    }

    func url(for operation: OpenAIOperation, model: String) -> String {
        "\(root)/\(operation.rawValue)"
    }

    var modelsURL: String { "\(root)/models" }

    func authorize(_ headers: inout HTTPHeaders) {
        if let apiKey, !apiKey.isEmpty {
            headers.add(name: "authorization", value: "Bearer \(apiKey)")
        }
    }
}
