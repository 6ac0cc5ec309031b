import Logging
import Telemetry

/// Builds the adapter for each enabled provider once, at start-up.
enum ProviderFactory {
    /// Adapters by provider name, and the upstream clients of their own they use.
    ///   - transport: one client for every provider (tests, benchmarks); by default each provider that
    ///     goes over the network gets its own, with its own timeouts.
    ///   - previous: the clients of the configuration this one replaces; a provider whose client settings
    ///     are unchanged keeps its client (and its open connections).
    static func make(
        config: GatewayConfig,
        transport shared: (any UpstreamTransport)?,
        reusing previous: [String: ProviderTransport] = [:],
        registry: MetricsRegistry,
        logger: Logger
    ) -> (providers: [String: any ChatProvider], transports: [String: ProviderTransport]) {
        var providers: [String: any ChatProvider] = [:]
        var transports: [String: ProviderTransport] = [:]
        for (name, provider) in config.enabledProviders {
            let timeouts = provider.timeouts(pool: config.connectionPool)
            func transport() -> any UpstreamTransport {
                if let shared { return shared }
                let settings = ProviderTransport.Settings(pool: config.connectionPool, timeouts: timeouts, caFile: provider.caFile)
                if let kept = previous[name], kept.settings == settings {
                    transports[name] = kept
                    return kept.transport
                }
                let own = PooledTransport(
                    provider: name,
                    pool: config.connectionPool,
                    timeouts: timeouts,
                    registry: registry,
                    logger: logger,
                    caFile: provider.caFile
                )
                transports[name] = ProviderTransport(transport: own, settings: settings)
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

/// One provider's own upstream client and the settings it was made with.
struct ProviderTransport: Sendable {
    struct Settings: Sendable, Equatable {
        let pool: ConnectionPoolConfig
        let timeouts: UpstreamTimeouts
        let caFile: String?
    }

    let transport: any UpstreamTransport
    let settings: Settings

    /// Whether both are the same client object.
    func isSame(as other: ProviderTransport) -> Bool {
        (transport as AnyObject) === (other.transport as AnyObject)
    }
}
