import ArgumentParser

/// `llm-gateway`: an OpenAI-compatible LLM gateway.
@main
struct LLMGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-gateway",
        abstract: "An OpenAI-compatible LLM inference gateway with metrics, logs and traces built in.",
        subcommands: [Serve.self, CheckConfig.self, PrintMetrics.self, PrintPrices.self],
        defaultSubcommand: Serve.self
    )
}
