import Yams

/// Reads typed values out of a parsed YAML tree, collecting every problem with its key path
/// instead of stopping at the first one (what `check-config` prints).
struct ConfigReader {
    private(set) var problems: [ConfigProblem] = []
    let interpolation: EnvironmentInterpolation

    init(environment: [String: String]) {
        self.interpolation = EnvironmentInterpolation(environment: environment)
    }

    mutating func report(_ path: String, _ message: String) {
        problems.append(ConfigProblem(path: path, message: message))
    }

    /// The entries of a mapping; keys outside `known` (when given) are reported as unknown.
    mutating func mapping(_ node: Node?, at path: String, known: Set<String>? = nil) -> [(key: String, value: Node)]? {
        guard let node else { return nil }
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" {
            return []
        }
        guard let mapping = node.mapping else {
            report(path, "expected a mapping")
            return nil
        }
        var entries: [(key: String, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                report(path, "keys must be strings")
                continue
            }
            if let known, !known.contains(key) {
                report(Self.join(path, key), "unknown key (expected one of: \(known.sorted().joined(separator: ", ")))")
                continue
            }
            entries.append((key, value))
        }
        return entries
    }

    mutating func string(_ node: Node, at path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(path, "expected a string")
            return nil
        }
        switch interpolation.expand(scalar.string) {
        case .success(let value):
            return value
        case .failure(.unset(let name)):
            report(path, "environment variable \(name) is not set (use ${\(name):-default} for a fallback)")
            return nil
        case .failure(.unterminated):
            report(path, "unterminated ${…} reference")
            return nil
        }
    }

    mutating func int(_ node: Node, at path: String) -> Int? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            report(path, "expected an integer, got \"\(text)\"")
            return nil
        }
        return value
    }

    mutating func double(_ node: Node, at path: String) -> Double? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Double(text), value.isFinite else {
            report(path, "expected a number, got \"\(text)\"")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node, at path: String) -> Bool? {
        guard let text = string(node, at: path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(path, "expected true or false, got \"\(text)\"")
            return nil
        }
    }

    mutating func stringList(_ node: Node, at path: String) -> [String]? {
        guard let sequence = node.sequence else {
            report(path, "expected a list")
            return nil
        }
        return sequence.enumerated().compactMap { index, item in string(item, at: "\(path)[\(index)]") }
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}
