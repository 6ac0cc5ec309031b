import Foundation
import NIOCore

extension ResponseSummary {
    /// Reads `id`, `model`, `choices[].finish_reason` and `usage` of an OpenAI `chat.completion` (or chunk)
    /// without building the rest of it — the document is still checked whole, and the fields get the same
    /// types as the `Decodable` reading would demand; anything else is `upstream_invalid_response`.
    /// A member name that is escaped or repeated hands the whole document to `JSONDecoder`, whose reading
    /// of it (which duplicate wins, what an escape spells) is the one the scan must agree with.
    static func scan(_ bytes: UnsafeRawBufferPointer, expected: String) throws(GatewayError) -> ResponseSummary {
        var summary = ResponseSummary()
        var scanner = JSONScanner(bytes)
        var seen: UInt8 = 0
        do {
            guard scanner.peek() == UInt8(ascii: "{") else { throw JSONScanner.Invalid() }
            try scanner.object { key, scanner in
                let slot = Self.topLevelNames.firstIndex { Self.equals(key, $0) }
                if let slot {
                    guard seen & (1 << slot) == 0 else { throw DecoderDecides() }
                    seen |= 1 << slot
                }
                switch slot {
                case 0:
                    summary.id = try Self.optionalString(&scanner)
                case 1:
                    summary.model = try Self.optionalString(&scanner)
                case 2:
                    guard !scanner.skipNull() else { return }
                    var reasons: [String] = []
                    try scanner.array { scanner in
                        var read = false
                        try scanner.object { key, scanner in
                            guard Self.equals(key, "finish_reason") else {
                                guard !key.contains(UInt8(ascii: "\\")) else { throw DecoderDecides() }
                                return try scanner.skipValue()
                            }
                            guard !read else { throw DecoderDecides() }
                            read = true
                            if let reason = try Self.optionalString(&scanner) { reasons.append(reason) }
                        }
                    }
                    summary.finishReasons = reasons
                case 3:
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
                default:
                    guard !key.contains(UInt8(ascii: "\\")) else { throw DecoderDecides() }
                    try scanner.skipValue()
                }
            }
            guard scanner.atEnd() else { throw JSONScanner.Invalid() }
        } catch let error as GatewayError {
            throw error
        } catch is DecoderDecides {
            return try WireJSON.decode(ResponseSummary.self, from: bytes, expected: expected)
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

    /// `usage` whose counts are plain integers or null, read in place, with the cache's and reasoning's counts
    /// from its `*_details` objects; nil for anything else (the decoder's reading decides then).
    private static func scanUsage(_ scanner: inout JSONScanner) -> TokenUsage? {
        var counts: [Int?] = [nil, nil, nil, nil, nil]
        var seen: UInt8 = 0
        // A name seen twice (a count, or a details object) is left to the decoder.
        func once(_ bit: Int) throws {
            guard seen & (1 << bit) == 0 else { throw JSONScanner.Invalid() }
            seen |= 1 << bit
        }
        func read(_ slot: Int, _ scanner: inout JSONScanner) throws {
            try once(slot)
            counts[slot] = try scanner.nullable { $0.plainInteger() }
        }
        /// A `*_details` object (or null) whose one member read is `name`, into `slot`.
        func details(_ name: StaticString, _ slot: Int, _ scanner: inout JSONScanner) throws {
            try once(slot + 2)
            guard !scanner.skipNull() else { return }
            try scanner.object { key, scanner in
                guard equals(key, name) else { return try scanner.skipUnread(key) }
                try read(slot, &scanner)
            }
        }
        do {
            try scanner.object { key, scanner in
                if let slot = usageNames.firstIndex(where: { equals(key, $0) }) {
                    try read(slot, &scanner)
                } else if equals(key, "prompt_tokens_details") {
                    try details("cached_tokens", 3, &scanner)
                } else if equals(key, "completion_tokens_details") {
                    try details("reasoning_tokens", 4, &scanner)
                } else {
                    try scanner.skipUnread(key)
                }
            }
        } catch {
            return nil
        }
        return TokenUsage(reportedPrompt: counts[0], completion: counts[1], total: counts[2], cacheRead: counts[3], reasoning: counts[4])
    }

    private static let usageNames: [StaticString] = ["prompt_tokens", "completion_tokens", "total_tokens"]

    /// The top-level members the scan reads, in the order of its `switch`; each may appear once.
    private static let topLevelNames: [StaticString] = ["id", "model", "choices", "usage"]

    /// Thrown where only a full decoder knows the answer (escaped or repeated names).
    private struct DecoderDecides: Error {}

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
