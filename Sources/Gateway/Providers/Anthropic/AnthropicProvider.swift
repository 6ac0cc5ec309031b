import NIOCore

/// Anthropic's Messages API (`x-api-key`, `anthropic-version`), translated both ways: requests from OpenAI's
/// chat schema, answers and streams back into it. Embeddings are not offered by Anthropic.
struct AnthropicProvider: ChatProvider {
    let name: String
    let type = ProviderType.anthropic
    let mapping: AnthropicRequestMapping
    let transport: any UpstreamTransport
    let serverAddress: (host: String, port: Int)?

    init(name: String, config: ProviderConfig, timeouts: UpstreamTimeouts, transport: any UpstreamTransport) {
        self.name = name
        self.mapping = AnthropicRequestMapping(baseURL: config.baseURL, apiKey: config.apiKey, version: config.apiVersion, timeouts: timeouts)
        self.transport = transport
        self.serverAddress = ServerAddress.of(mapping.baseURL)
    }

    func chatCompletion(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderReply {
        let response = try await transport.exchange(mapping.request(request, model: model, stream: false))
        return try await AnthropicResponseMapping.reply(from: response, requestedModel: model)
    }

    func chatCompletionStream(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderStream {
        let body = try await transport.exchange(mapping.request(request, model: model, stream: true)).successStream()
        let summary = StreamSummary()
        let stream = TranslatedStream(base: body, decoder: AnthropicStreamDecoder(includeUsage: request.includeUsage, model: model), summary: summary)
        return ProviderStream(events: UpstreamBody(stream), summary: summary)
    }

    func embeddings(_ request: EmbeddingsRequest, model: String) async throws(GatewayError) -> ProviderReply {
        throw GatewayError.invalidRequest(message: "Anthropic does not offer embeddings; route this model to another provider.", param: "model")
    }

    /// Lists the models (cheap, authenticated, no tokens spent).
    func probe(timeout: Duration) async throws(GatewayError) {
        try await transport.probe(mapping.probe(timeout: timeout))
    }

}
