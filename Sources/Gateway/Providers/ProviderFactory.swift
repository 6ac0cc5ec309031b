import Logging

/// Builds the adapter for each enabled provider once, at start-up.
enum ProviderFactory {
    /// Adapters by provider name. Types whose adapter is not in this build are reported and skipped.
    static func make(config: GatewayConfig, transport: any UpstreamTransport, logger: Logger) -> [String: any ChatProvider] {
        var providers: [String: any ChatProvider] = [:]
        for (name, provider) in config.enabledProviders {
            switch provider.type {
            case .openai:
                if provider.apiKey == nil && provider.baseURL == nil {
                    logger.warning("provider has no API key; OpenAI will refuse its requests", metadata: ["provider": "\(name)"])
                }
                providers[name] = OpenAIProvider(name: name, config: provider, transport: transport)
            case .azureOpenAI:
                providers[name] = AzureOpenAIProvider.make(name: name, config: provider, transport: transport)
            case .mock:
                providers[name] = MockProvider(name: name, config: provider)
            case .anthropic, .bedrock, .gemini:
                logger.warning(
                    "provider type is not available in this build yet; its models are not served",
                    metadata: ["provider": "\(name)", "type": "\(provider.type.rawValue)"]
                )
            }
        }
        return providers
    }
}
