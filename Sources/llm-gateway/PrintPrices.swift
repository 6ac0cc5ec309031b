import ArgumentParser
import Gateway

/// `llm-gateway prices`: prints the shipped price table as YAML (docs/prices.yaml is this output), the format
/// `pricing.prices` takes in config.yaml.
struct PrintPrices: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prices",
        abstract: "Print the shipped price table (USD per million tokens) in the format of config.yaml's pricing.prices."
    )

    func run() {
        print(DefaultPrices.yaml, terminator: "")
    }
}
