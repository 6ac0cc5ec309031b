import Crypto
import Foundation

/// Where `serve` read its configuration from: the file, and the environment that overrides it. A reload reads
/// the same file again with the same environment.
public struct ConfigSource: Sendable {
    /// What ``ConfigSource/hash`` is without a file: the embedded default.
    public static let embeddedHash = "embedded"

    public let path: String
    public let environment: [String: String]

    public init(path: String, environment: [String: String]) {
        self.path = path
        self.environment = environment
    }

    /// The file's text, validated as `check-config` validates it, and the hash of its bytes.
    public func load() throws(ConfigError) -> (config: GatewayConfig, hash: String) {
        let file = try read()
        return (try parse(file.text), file.hash)
    }

    /// The file's text as it is now, and the hash of its bytes.
    public func read() throws(ConfigError) -> (text: String, hash: String) {
        let text = try ConfigLoader.read(path: path)
        return (text, Self.hash(text))
    }

    /// `text` (the file's) validated as `check-config` validates it, with this source's environment.
    public func parse(_ text: String) throws(ConfigError) -> GatewayConfig {
        try ConfigLoader.parse(yaml: text, environment: environment)
    }

    /// The first 16 hex digits of the SHA-256 of `text` (`llm_config_info{hash}`; compare with `sha256sum`).
    public static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(8).lowercaseHex
    }
}
