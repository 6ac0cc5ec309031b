import NIOCore

/// Google Gemini (`generateContent`, `streamGenerateContent?alt=sse`, API key in `x-goog-api-key`),
/// translated both ways. Embeddings go through OpenAI-compatible providers.
struct GeminiProvider: ChatProvider {
    let name: String
    let type = ProviderType.gemini
    let mapping: GeminiRequestMapping
    let transport: any UpstreamTransport
    let serverAddress: (host: String, port: Int)?

    init(name: String, config: ProviderConfig, timeouts: UpstreamTimeouts, transport: any UpstreamTransport) {
        self.name = name
        self.mapping = GeminiRequestMapping(baseURL: config.baseURL, apiKey: config.apiKey, timeouts: timeouts)
        self.transport = transport
        self.serverAddress = ServerAddress.of(mapping.baseURL)
    }

    func chatCompletion(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderReply {
        let response = try await transport.exchange(mapping.request(request, model: model, stream: false))
        return try await GeminiResponseMapping.reply(from: response, requestedModel: model)
    }

    func chatCompletionStream(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderStream {
        let body = try await transport.exchange(mapping.request(request, model: model, stream: true)).successStream()
        let summary = StreamSummary()
        return ProviderStream(
            events: UpstreamBody(
                TranslatedStream(base: body, decoder: GeminiStreamDecoder(includeUsage: request.includeUsage, model: model), summary: summary)
            ),
            summary: summary
        )
    }

    func embeddings(_ request: EmbeddingsRequest, model: String) async throws(GatewayError) -> ProviderReply {
        throw GatewayError.invalidRequest(
            message: "Embeddings are not offered through the gemini provider type; route this model elsewhere.",
            param: "model"
        )
    }

    /// Lists the models (cheap, authenticated, no tokens spent).
    func probe(timeout: Duration) async throws(GatewayError) {
        try await transport.probe(mapping.probe(timeout: timeout))
    }
}
