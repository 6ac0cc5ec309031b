/// Removes personal data and secrets from text before it is written anywhere:
/// e-mail addresses, phone numbers, payment card numbers, bearer tokens and provider keys
/// (`sk-…`, `sk-ant-…`, `AKIA…`) become `[REDACTED:<kind>]`.
///
/// Each pattern runs only when a cheap check says it could match (an `@`, enough digits, a key
/// prefix), so the common log line pays a few byte scans, not six regex searches.
public struct LogRedactor: Sendable {
    /// What was found, as it appears in the replacement `[REDACTED:<kind>]`.
    public enum Kind: String, Sendable, CaseIterable {
        case bearer
        case apiKey = "api_key"
        case email
        case card
        case phone
    }

    public init() {}

    public func redact(_ text: String) -> String {
        guard text.utf8.count >= 6 else { return text }
        // One pass over the bytes decides which patterns can occur at all; most lines need none of them.
        let clues = Clues(text.utf8)
        guard clues.any else { return text }
        var text = text
        if clues.bearer {
            text = text.replacing(Self.bearer) { _ in Self.marker(.bearer) }
        }
        if clues.apiKey {
            text = text.replacing(Self.apiKey) { _ in Self.marker(.apiKey) }
        }
        if clues.at {
            text = text.replacing(Self.email) { _ in Self.marker(.email) }
        }
        if clues.digits >= 7 {
            text = redactNumbers(in: text)
        }
        return text
    }

    /// Finds each maximal run of digits and phone/card punctuation and replaces the whole run when it
    /// is a card number (13–19 digits passing Luhn) or looks like a phone number. Judging whole runs
    /// keeps dates, versions, addresses and parts of longer numbers out.
    /// What a text holds that a pattern needs: `bearer` (any case), `sk-` or `AKIA`, `@`, and its digit count.
    private struct Clues {
        var bearer = false
        var apiKey = false
        var at = false
        var digits = 0

        var any: Bool { bearer || apiKey || at || digits >= 7 }

        init(_ utf8: String.UTF8View) {
            let bytes = Array(utf8)
            for (index, byte) in bytes.enumerated() {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
                case UInt8(ascii: "@"): at = true
                case UInt8(ascii: "b"), UInt8(ascii: "B"): bearer = bearer || Self.matches(bytes, at: index, "bearer", anyCase: true)
                case UInt8(ascii: "s"): apiKey = apiKey || Self.matches(bytes, at: index, "sk-", anyCase: false)
                case UInt8(ascii: "A"): apiKey = apiKey || Self.matches(bytes, at: index, "AKIA", anyCase: false)
                default: break
                }
            }
        }

        private static func matches(_ bytes: [UInt8], at index: Int, _ word: StaticString, anyCase: Bool) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count {
                let byte = bytes[index + offset]
                let expected = word.utf8Start[offset]
                guard byte == expected || (anyCase && byte | 0x20 == expected) else { return false }
            }
            return true
        }
    }

    private func redactNumbers(in text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            guard let run = Self.numericRun(in: text, from: index) else {
                output.append(text[index])
                index = text.index(after: index)
                continue
            }
            let candidate = text[run]
            if let kind = Self.classify(candidate) {
                output += Self.marker(kind)
            } else {
                output += candidate
            }
            index = run.upperBound
        }
        return output
    }

    /// The run starting at `start`, if a number starts there (a digit, or `+`/`(` before one) and
    /// is not glued to a preceding letter or digit.
    private static func numericRun(in text: String, from start: String.Index) -> Range<String.Index>? {
        let first = text[start]
        if start > text.startIndex {
            let previous = text[text.index(before: start)]
            if previous.isLetter || previous.isNumber || previous == "_" { return nil }
        }
        var cursor = start
        if first == "+" || first == "(" {
            cursor = text.index(after: start)
            guard cursor < text.endIndex, text[cursor].isASCII, text[cursor].isNumber else { return nil }
        } else if !(first.isASCII && first.isNumber) {
            return nil
        }
        var lastDigit = start
        while cursor < text.endIndex {
            let character = text[cursor]
            if character.isASCII && character.isNumber {
                lastDigit = cursor
            } else if !" -.()".contains(character) {
                break
            }
            cursor = text.index(after: cursor)
        }
        let end = text.index(after: lastDigit)
        if end < text.endIndex, text[end].isLetter || text[end] == "_" { return nil }
        return start..<end
    }

    private static func classify(_ run: Substring) -> Kind? {
        let digits = run.filter { $0.isASCII && $0.isNumber }
        if (13...19).contains(digits.count), !run.contains("."), !run.contains("("), passesLuhn(run) {
            return .card
        }
        guard (7...15).contains(digits.count) else { return nil }
        let groups = run.split(whereSeparator: { !($0.isASCII && $0.isNumber) })
        if run.hasPrefix("+") { return .phone }
        if run.hasPrefix("("), groups.count >= 3 || (groups.count == 2 && digits.count >= 7) { return groups.last!.count >= 3 ? .phone : nil }
        // Grouped national numbers such as 415-555-0132: three or more groups, the last of 3–4 digits,
        // one separator kind, no group longer than 4.
        let separators = Set(run.filter { !($0.isASCII && $0.isNumber) })
        guard groups.count >= 3, separators.count == 1, let last = groups.last, (3...4).contains(last.count),
            groups.allSatisfy({ (2...4).contains($0.count) })
        else { return nil }
        return .phone
    }

    static func marker(_ kind: Kind) -> String { "[REDACTED:\(kind.rawValue)]" }

    nonisolated(unsafe) private static let bearer = /(?i)bearer\s+[A-Za-z0-9._~+\/=-]{8,}/
    nonisolated(unsafe) private static let apiKey = /sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}/
    nonisolated(unsafe) private static let email = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/

    /// The Luhn checksum every payment card number satisfies (keeps ids and timestamps out).
    static func passesLuhn(_ candidate: Substring) -> Bool {
        let digits = candidate.compactMap(\.wholeNumberValue)
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset.isMultiple(of: 2) {
                sum += digit
            } else {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            }
        }
        return sum.isMultiple(of: 10)
    }
}
