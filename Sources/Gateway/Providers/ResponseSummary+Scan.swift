import Foundation
import NIOCore

extension ResponseSummary {
    /// Reads `id`, `model`, `choices[].finish_reason` and `usage` of an OpenAI `chat.completion` (or chunk)
    /// without building the rest of it — the document is still checked whole, and the fields get the same
    /// types as the `Decodable` reading would demand; anything else is `upstream_invalid_response`.
    static func scan(_ bytes: UnsafeRawBufferPointer, expected: String) throws(GatewayError) -> ResponseSummary {
        var summary = ResponseSummary()
        var scanner = JSONScanner(bytes)
        do {
            guard scanner.peek() == UInt8(ascii: "{") else { throw JSONScanner.Invalid() }
            try scanner.object { key, scanner in
                if Self.equals(key, "id") {
                    summary.id = try Self.optionalString(&scanner)
                } else if Self.equals(key, "model") {
                    summary.model = try Self.optionalString(&scanner)
                } else if Self.equals(key, "choices") {
                    guard !scanner.skipNull() else { return }
                    var reasons: [String] = []
                    try scanner.array { scanner in
                        try scanner.object { key, scanner in
                            guard Self.equals(key, "finish_reason") else { return try scanner.skipValue() }
                            if let reason = try Self.optionalString(&scanner) { reasons.append(reason) }
                        }
                    }
                    summary.finishReasons = reasons
                } else if Self.equals(key, "usage") {
                    guard !scanner.skipNull() else { return }
                    guard scanner.peek() == UInt8(ascii: "{") else { throw JSONScanner.Invalid() }
                    var probe = scanner
                    if let usage = Self.scanUsage(&probe) {
                        summary.usage = usage
                        scanner = probe
                    } else {
                        // Counts that are not plain integers (or repeated): the decoder's reading decides.
                        let range = try scanner.valueRange()
                        summary.usage = try WireJSON.decode(TokenUsage.self, from: scanner.slice(range), expected: expected)
                    }
                } else {
                    try scanner.skipValue()
                }
            }
            guard scanner.atEnd() else { throw JSONScanner.Invalid() }
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError.invalidUpstreamResponse("expected \(expected)")
        }
        return summary
    }

    /// ``scan(_:expected:)`` over a buffer's readable bytes.
    static func scan(_ buffer: ByteBuffer, expected: String) throws(GatewayError) -> ResponseSummary {
        let result = buffer.withUnsafeReadableBytes { bytes in Result { () throws(GatewayError) in try scan(bytes, expected: expected) } }
        return try result.get()
    }

    /// ``scan(_:expected:)`` over an array's bytes.
    static func scan(_ bytes: [UInt8], expected: String) throws(GatewayError) -> ResponseSummary {
        let result = bytes.withUnsafeBytes { bytes in Result { () throws(GatewayError) in try scan(bytes, expected: expected) } }
        return try result.get()
    }

    /// `usage` whose counts are plain integers or null, read in place; nil for anything else.
    private static func scanUsage(_ scanner: inout JSONScanner) -> TokenUsage? {
        var counts: [Int?] = [nil, nil, nil]
        var seen = [false, false, false]
        let names: [StaticString] = ["prompt_tokens", "completion_tokens", "total_tokens"]
        do {
            try scanner.object { key, scanner in
                guard let slot = names.firstIndex(where: { equals(key, $0) }) else { return try scanner.skipUnread(key) }
                guard !seen[slot] else { throw JSONScanner.Invalid() }
                seen[slot] = true
                counts[slot] = try scanner.nullable { $0.plainInteger() }
            }
        } catch {
            return nil
        }
        return TokenUsage(reportedPrompt: counts[0], completion: counts[1], total: counts[2])
    }

    private static func equals(_ key: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        key.count == name.utf8CodeUnitCount && memcmp(key.baseAddress!, name.utf8Start, key.count) == 0
    }

    /// A string or null; escapes are resolved by the JSON decoder (rare in ids and model names).
    private static func optionalString(_ scanner: inout JSONScanner) throws -> String? {
        guard !scanner.skipNull() else { return nil }
        guard scanner.peek() == UInt8(ascii: "\"") else { throw JSONScanner.Invalid() }
        let (range, escaped) = try scanner.string()
        guard escaped else { return String(decoding: scanner.slice(range), as: UTF8.self) }
        return try WireJSON.decode(String.self, from: scanner.slice((range.lowerBound - 1)..<(range.upperBound + 1)), expected: "a JSON string")
    }
}
