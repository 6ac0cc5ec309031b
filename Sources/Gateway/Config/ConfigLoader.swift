import Foundation
import Yams

/// Turns a YAML file (or nothing: the embedded default) plus the environment into a validated ``GatewayConfig``.
///
/// Order: file → `${VAR}` interpolation → environment overrides → providers enabled by key variables →
/// ``ConfigValidator``. Every problem is collected and thrown together as a ``ConfigError``.
public enum ConfigLoader {
    /// Loads `path`, or the embedded default when `path` is nil.
    public static func load(path: String?, environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        guard let path else {
            return try finish(embeddedDefault(), environment: environment)
        }
        return try parse(yaml: try read(path: path), environment: environment)
    }

    /// The text of the file at `path`.
    static func read(path: String) throws(ConfigError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(problems: [ConfigProblem(path: "", message: "cannot read \(path): \(error.localizedDescription)")])
        }
    }

    /// Parses YAML text into a validated configuration.
    public static func parse(yaml: String, environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError(problems: [ConfigProblem(path: "", message: "invalid YAML: \(error)")])
        }
        var document = ConfigDocument(reader: ConfigReader(environment: environment))
        let config = root.map { document.read($0) } ?? GatewayConfig()
        // Semantic checks run on what did parse, so one pass reports every problem.
        return try finish(config, environment: environment, earlierProblems: document.reader.problems)
    }

    /// The configuration `serve` runs without a file: the built-in mock provider, in-memory state, and
    /// made-up prices for the mock models so the spend series and panels have something to show.
    public static func embeddedDefault() -> GatewayConfig {
        var mock = ProviderConfig(type: .mock)
        mock.models = ["mock-gpt", "mock-claude"]
        mock.mock.replyTokens = 16
        var config = GatewayConfig(providers: ["mock": mock])
        let price = ModelPrice(inputPerMillion: 1, outputPerMillion: 4, cachedInputPerMillion: 0.1)
        config.pricing.prices = ["mock": ["mock-gpt": price!, "mock-claude": price!]]
        return config
    }

    private static func finish(
        _ config: GatewayConfig,
        environment: [String: String],
        earlierProblems: [ConfigProblem] = []
    ) throws(ConfigError) -> GatewayConfig {
        var config = config
        var problems = earlierProblems
        applyOverrides(to: &config, environment: environment, problems: &problems)
        applyProviderKeys(to: &config, environment: environment)
        problems += ConfigValidator.validate(config)
        if !problems.isEmpty {
            throw ConfigError(problems: problems)
        }
        return config
    }

    /// The seed's environment variables win over the file.
    static func applyOverrides(to config: inout GatewayConfig, environment: [String: String], problems: inout [ConfigProblem]) {
        func integer(_ name: String) -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                problems.append(ConfigProblem(path: "env.\(name)", message: "expected an integer, got \"\(text)\""))
                return nil
            }
            return value
        }
        if let host = environment["SERVER_HOST"], !host.isEmpty { config.server.host = host }
        if let port = integer("SERVER_PORT") { config.server.port = port }
        if let port = integer("METRICS_PORT") { config.server.metricsPort = port }
        if let level = environment["LOG_LEVEL"], !level.isEmpty { config.logging.level = level }
        if let url = environment["REDIS_URL"], !url.isEmpty { config.redisURL = url }
    }

    /// The environment variable that carries each provider type's key.
    static let keyVariables: [(variable: String, type: ProviderType)] = [
        ("OPENAI_API_KEY", .openai),
        ("ANTHROPIC_API_KEY", .anthropic),
        ("AZURE_OPENAI_API_KEY", .azureOpenAI),
        ("GOOGLE_API_KEY", .gemini),
    ]

    /// A key in the environment fills providers of that type that have none, and enables the provider
    /// under its type's name with defaults when the config does not mention it (the seed's local setup).
    static func applyProviderKeys(to config: inout GatewayConfig, environment: [String: String]) {
        if let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !id.isEmpty, !secret.isEmpty {
            let credentials = AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
            for (name, provider) in config.providers where provider.type == .bedrock && provider.awsCredentials == nil {
                config.providers[name]?.awsCredentials = credentials
            }
        }
        for (variable, type) in keyVariables {
            guard let key = environment[variable], !key.isEmpty else { continue }
            for (name, provider) in config.providers where provider.type == type && provider.apiKey == nil {
                config.providers[name]?.apiKey = key
            }
            let mentioned = config.providers[type.rawValue] != nil
            // Azure needs a resource URL that no default can supply, so its key alone enables nothing.
            if !mentioned && type != .azureOpenAI {
                var provider = ProviderConfig(type: type)
                provider.apiKey = key
                config.providers[type.rawValue] = provider
            }
        }
    }
}
