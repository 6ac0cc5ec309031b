import ArgumentParser
import Foundation
import Gateway

/// `llm-gateway check-config PATH`: prints every problem with its key path (exit 1), or a summary (exit 0).
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a config file the way serve would, with the current environment."
    )

    @Argument(help: "Path to config.yaml.")
    var path: String

    func run() throws {
        do {
            let config = try ConfigLoader.load(path: path, environment: ProcessInfo.processInfo.environment)
            let providers = config.enabledProviders.map { "\($0.name)(\($0.config.type.rawValue))" }
            print(
                "\(path): valid — \(providers.count) provider(s) enabled [\(providers.joined(separator: ", "))], "
                    + "\(config.models.count) model route(s), auth \(config.auth.isEnabled ? "on" : "off"), "
                    + "API :\(config.server.port), metrics :\(config.server.metricsPort)"
            )
        } catch {
            for problem in error.problems {
                print(problem.description)
            }
            throw ExitCode(1)
        }
    }
}
