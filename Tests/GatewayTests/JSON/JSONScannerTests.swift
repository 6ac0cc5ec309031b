import Foundation
import NIOCore
import Testing

@testable import Gateway

/// The answer summary read by a byte scan instead of JSONDecoder: the same fields, the same strictness.
@Suite("Answer summaries by JSON scan")
struct JSONScannerTests {
    static let completion =
        #"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-x","system_fingerprint":null,"choices":[{"index":0,"message":{"role":"assistant","content":"hi \"there\"","tool_calls":[{"id":"c","function":{"arguments":"{\"a\":[1,2.5e3,-0.1]}"}}]},"logprobs":null,"finish_reason":"stop"},{"index":1,"message":{"content":null},"finish_reason":"length"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0}}}"#

    static func scan(_ text: String) throws(GatewayError) -> ResponseSummary {
        try ResponseSummary.scan(Array(text.utf8), expected: "a chat.completion")
    }

    static func decoded(_ text: String) -> ResponseSummary? {
        try? JSONDecoder().decode(ResponseSummary.self, from: Data(text.utf8))
    }

    @Test("the fields of a full completion, a chunk, escapes and nulls")
    func fields() throws {
        let summary = try Self.scan(Self.completion)
        #expect(
            summary
                == ResponseSummary(
                    id: "chatcmpl-1",
                    model: "gpt-x",
                    finishReasons: ["stop", "length"],
                    usage: TokenUsage(promptTokens: 12, completionTokens: 5)
                )
        )
        #expect(summary == Self.decoded(Self.completion))
        let chunk = try Self.scan(#" {"id":"a\u0062\n","model":null,"choices":[{"delta":{},"finish_reason":null}],"usage":null} "#)
        #expect(chunk == ResponseSummary(id: "ab\n", model: nil, finishReasons: [], usage: nil))
        #expect(try Self.scan("{}") == ResponseSummary())
    }

    @Test("malformed documents and wrong field types are upstream_invalid_response, never a crash")
    func invalid() {
        let cases = [
            "", "[]", "\"x\"", "{", "{}x", "{\"id\":\"a\"", "{\"id\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":\"\u{01}\"}",
            "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":tru}", "{\"a\":[1,]}", "{\"a\":1,}", "{a:1}", "{\"id\":5}",
            "{\"choices\":{}}", "{\"choices\":[1]}", "{\"choices\":[{\"finish_reason\":1}]}", "{\"usage\":\"x\"}",
            "{\"usage\":{\"prompt_tokens\":\"5\"}}", String(repeating: "[", count: 100_000),
            "{\"a\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}",
        ]
        for text in cases {
            #expect(throws: GatewayError.invalidUpstreamResponse("expected a chat.completion")) { _ = try Self.scan(text) }
        }
    }

    @Test("cache reads and reasoning are read from the usage details, and never exceed the totals they are part of")
    func usageDetails() throws {
        let text =
            #"{"usage":{"prompt_tokens":10,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":4},"completion_tokens":6,"#
            + #""completion_tokens_details":{"reasoning_tokens":2},"total_tokens":16}}"#
        let expected = TokenUsage(promptTokens: 10, completionTokens: 6, cacheReadTokens: 4, reasoningTokens: 2)
        #expect(try Self.scan(text).usage == expected)
        #expect(Self.decoded(text)?.usage == expected)
        let inflated =
            #"{"usage":{"prompt_tokens":3,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":9},"#
            + #""completion_tokens_details":{"reasoning_tokens":-5}}}"#
        #expect(try Self.scan(inflated).usage == TokenUsage(promptTokens: 3, completionTokens: 1, cacheReadTokens: 3))
        #expect(try Self.scan(#"{"usage":{"prompt_tokens_details":null,"completion_tokens_details":null}}"#).usage?.cacheReadTokens == 0)
    }

    @Test(
        "repeated or escaped member names are read as JSONDecoder reads them",
        arguments: [
            #"{"id":"a","id":"b"}"#,
            #"{"choices":[{"finish_reason":"stop","index":1,"finish_reason":"length"}]}"#,
            #"{"choices":[{"finish_re\u0061son":"stop"}]}"#,
            #"{"\u0069d":"x","model":"m"}"#,
            #"{"usage":{"prompt_tokens":1},"usage":{"prompt_tokens":2,"completion_tokens":3}}"#,
            #"{"model":"m","choices":[],"choices":[{"finish_reason":"stop"}]}"#,
            #"{"usage":{"prompt_tokens":5,"prompt_tokens_details":{},"prompt_tokens_details":{"cached_tokens":2}}}"#,
            #"{"usage":{"completion_tokens":5,"completion_tokens_details":{"reasoning_tokens":1,"reasoning_tokens":3}}}"#,
        ]
    )
    func repeatedNames(_ text: String) throws {
        let decoded = try #require(Self.decoded(text))
        #expect(try Self.scan(text) == decoded)
    }

    @Test("differential: whatever the scan accepts, JSONDecoder reads the same summary from")
    func differential() {
        // The scan is at least as strict: JSONDecoder lets through defects in values it never reads (leading
        // zeros, bad escapes), the scan checks every value as RFC 8259 says. Where it accepts, it must agree.
        // A fresh seed each run explores new documents; a failure names its seed so it can be replayed.
        let seed = UInt64.random(in: .min ... .max)
        var generator = FuzzTests.Generator(state: seed)
        let alphabet = Array(#"{}[]":,.-+eE0123456789 \ntrufalsn"#.utf8)
        var disagreements: [String] = []
        var accepted = 0
        for _ in 0..<20_000 {
            var bytes = Array(Self.completion.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: at)
                default: bytes[at] = alphabet.randomElement(using: &generator)!
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let scanned = try? Self.scan(text) else { continue }
            accepted += 1
            if scanned != Self.decoded(text) && disagreements.count < 5 { disagreements.append(text) }
        }
        #expect(disagreements.isEmpty, "seed \(seed): \(disagreements)")
        // The mutations leave plenty of documents valid (whitespace, digits, strings' content).
        #expect(accepted > 1000)
    }
}
