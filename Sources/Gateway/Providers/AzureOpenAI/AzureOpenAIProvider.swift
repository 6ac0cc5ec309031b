/// Azure OpenAI: an ``OpenAIProvider`` with Azure's deployment URLs and `api-key` header.
/// A deployment's `model` is the Azure deployment name.
enum AzureOpenAIProvider {
    static func make(name: String, config: ProviderConfig, timeouts: UpstreamTimeouts, transport: any UpstreamTransport) -> any ChatProvider {
        OpenAIProvider(
            name: name,
            type: .azureOpenAI,
            endpoint: AzureOpenAIEndpoint(baseURL: config.baseURL ?? "", apiKey: config.apiKey, apiVersion: config.apiVersion),
            timeouts: timeouts,
            transport: transport,
            asksForStreamUsage: config.streamUsage
        )
    }
}
