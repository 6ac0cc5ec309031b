/// Azure OpenAI: an ``OpenAIProvider`` with Azure's deployment URLs and `api-key` header.
/// A deployment's `model` is the Azure deployment name.
enum AzureOpenAIProvider {
    static func make(name: String, config: ProviderConfig, transport: any UpstreamTransport) -> any ChatProvider {
        OpenAIProvider(
            name: name,
            type: .azureOpenAI,
            endpoint: AzureOpenAIEndpoint(baseURL: config.baseURL ?? "", apiKey: config.apiKey, apiVersion: config.apiVersion),
            timeoutSeconds: config.timeoutSeconds,
            transport: transport
        )
    }
}
