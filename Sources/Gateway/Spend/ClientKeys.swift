/// The client names spend is counted by: each configured key's `name` once (keys that share a name, as in
/// a rotation, share its series), or only `anonymous` when auth is off. A request carries its client's
/// index, so recording its cost resolves nothing by name.
public struct ClientKeys: Sendable, Equatable {
    public static let anonymous = "anonymous"

    /// Series label values, in index order.
    public let names: [String]
    private let indexes: [String: Int]

    public init(auth: AuthConfig) {
        var names: [String] = []
        var indexes: [String: Int] = [:]
        for key in auth.apiKeys where indexes[key.name] == nil {
            indexes[key.name] = names.count
            names.append(key.name)
        }
        if names.isEmpty { names = [Self.anonymous] }
        self.names = names
        self.indexes = indexes
    }

    /// The index of a key's name; 0 (`anonymous`, or the first key) for nil or an unknown name.
    public func index(of name: String?) -> Int {
        name.flatMap { indexes[$0] } ?? 0
    }
}
