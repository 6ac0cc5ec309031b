import HTTPTypes

/// Checks `Authorization: Bearer <key>` against `auth.api_keys`. With no keys configured, every
/// request passes (the embedded default logs a warning about that at start-up).
struct Authenticator: Sendable {
    /// A request's client: its key's name, and that name's position in ``ClientKeys`` (its spend series).
    struct Client: Sendable {
        let name: String
        let index: Int
    }

    private let keys: [String: Client]

    init(config: AuthConfig) {
        let clients = ClientKeys(auth: config)
        var keys: [String: Client] = [:]
        for key in config.apiKeys { keys[key.key] = Client(name: key.name, index: clients.index(of: key.name)) }
        self.keys = keys
    }

    var isEnabled: Bool { !keys.isEmpty }

    /// The client key used, or nil when auth is off. Throws 401 on a missing or wrong key.
    func authenticate(_ headers: HTTPFields) throws(GatewayError) -> Client? {
        guard isEnabled else { return nil }
        guard let key = Self.presentedKey(headers), let client = keys[key] else {
            throw GatewayError.invalidAPIKey
        }
        return client
    }

    /// The bearer token, or `x-api-key` as Anthropic's clients send it.
    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
            return nil
        }
        return headers[HTTPField.Name("x-api-key")!]
    }
}
