import Foundation
import NIOCore

/// OpenAI and any server that speaks its API (vLLM, Ollama, LiteLLM, …): requests and answers pass
/// through as bytes; only the model name is rewritten when a deployment maps it.
struct OpenAIProvider: ChatProvider {
    let name: String
    let type: ProviderType
    let mapping: OpenAIRequestMapping
    let transport: any UpstreamTransport
    let serverAddress: (host: String, port: Int)?
    /// `stream_usage` (on by default): streams ask for `stream_options.include_usage` when the client did not.
    let asksForStreamUsage: Bool

    init(name: String, config: ProviderConfig, timeouts: UpstreamTimeouts, transport: any UpstreamTransport) {
        self.init(
            name: name,
            type: .openai,
            endpoint: OpenAIPlatformEndpoint(baseURL: config.baseURL, apiKey: config.apiKey),
            timeouts: timeouts,
            transport: transport,
            asksForStreamUsage: config.streamUsage
        )
    }

    /// Shared with ``AzureOpenAIProvider``, which differs only in its endpoint.
    init(
        name: String,
        type: ProviderType,
        endpoint: any OpenAIEndpoint,
        timeouts: UpstreamTimeouts,
        transport: any UpstreamTransport,
        asksForStreamUsage: Bool = true
    ) {
        self.name = name
        self.asksForStreamUsage = asksForStreamUsage
        self.type = type
        self.mapping = OpenAIRequestMapping(endpoint: endpoint, timeouts: timeouts)
        self.transport = transport
        self.serverAddress = ServerAddress.of(endpoint.url(for: .chatCompletions, model: "m"))
    }

    func chatCompletion(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderReply {
        let outbound = try mapping.request(
            operation: .chatCompletions,
            body: request.body,
            requestedModel: request.model,
            model: model,
            stream: false
        )
        return try await OpenAIResponseMapping.reply(from: send(outbound))
    }

    func chatCompletionStream(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderStream {
        // Usage is asked for (unless `stream_usage: false`), so streamed tokens are counted; the client gets the
        // usage chunk only if it asked.
        let asking = asksForStreamUsage && !request.includeUsage
        let asked = asking ? try StreamUsageRequest.askingForUsage(request.body) : request.body
        let outbound = try mapping.request(operation: .chatCompletions, body: asked, requestedModel: request.model, model: model, stream: true)
        let body = try await send(outbound).successStream()
        let summary = StreamSummary()
        let checked = CheckedOpenAIStream(base: body, summary: summary, stripsUsage: asking)
        return ProviderStream(events: UpstreamBody(checked), summary: summary)
    }

    func embeddings(_ request: EmbeddingsRequest, model: String) async throws(GatewayError) -> ProviderReply {
        let outbound = try mapping.request(operation: .embeddings, body: request.body, requestedModel: request.model, model: model, stream: false)
        return try await OpenAIResponseMapping.reply(from: send(outbound))
    }

    /// Lists the models (cheap, authenticated, no tokens spent).
    func probe(timeout: Duration) async throws(GatewayError) {
        try await transport.probe(mapping.probe(timeout: timeout))
    }

    func send(_ request: UpstreamRequest) async throws(GatewayError) -> UpstreamResponse {
        try await transport.exchange(request)
    }
}
