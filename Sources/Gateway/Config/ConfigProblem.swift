/// One thing wrong with a configuration, located by its key path (`providers.openai.timeout_seconds`).
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible, Error {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem found in a configuration; thrown by ``ConfigLoader`` so callers can print them all.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
