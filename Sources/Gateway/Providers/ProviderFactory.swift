import Logging
import Telemetry

/// Builds the adapter for each enabled provider once, at start-up.
enum ProviderFactory {
    /// Adapters by provider name, and the upstream clients they use.
    ///   - transport: one client for every provider (tests, benchmarks); by default each provider that
    ///     goes over the network gets its own, with its own timeouts.
    static func make(
        config: GatewayConfig,
        transport shared: (any UpstreamTransport)?,
        registry: MetricsRegistry,
        logger: Logger
    ) -> (providers: [String: any ChatProvider], transports: [any UpstreamTransport]) {
        var providers: [String: any ChatProvider] = [:]
        var transports: [any UpstreamTransport] = shared.map { [$0] } ?? []
        for (name, provider) in config.enabledProviders {
            let timeouts = provider.timeouts(pool: config.connectionPool)
            func transport() -> any UpstreamTransport {
                if let shared { return shared }
                let own = PooledTransport(
                    provider: name,
                    pool: config.connectionPool,
                    timeouts: timeouts,
                    registry: registry,
                    logger: logger,
                    caFile: provider.caFile
                )
                transports.append(own)
                return own
            }
            switch provider.type {
            case .openai:
                if provider.apiKey == nil && provider.baseURL == nil {
                    logger.warning("provider has no API key; OpenAI will refuse its requests", metadata: ["provider": "\(name)"])
                }
                providers[name] = OpenAIProvider(name: name, config: provider, timeouts: timeouts, transport: transport())
            case .azureOpenAI:
                providers[name] = AzureOpenAIProvider.make(name: name, config: provider, timeouts: timeouts, transport: transport())
            case .mock:
                providers[name] = MockProvider(name: name, config: provider)
            case .anthropic:
                providers[name] = AnthropicProvider(name: name, config: provider, timeouts: timeouts, transport: transport())
            case .gemini:
                providers[name] = GeminiProvider(name: name, config: provider, timeouts: timeouts, transport: transport())
            case .bedrock:
                if provider.awsCredentials == nil {
                    logger.warning("bedrock provider has no AWS credentials; its requests go unsigned", metadata: ["provider": "\(name)"])
                }
                providers[name] = BedrockProvider(name: name, config: provider, timeouts: timeouts, transport: transport())
            }
        }
        return (providers, transports)
    }
}
