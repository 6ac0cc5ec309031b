import NIOCore
import Testing

@testable import Gateway

@Suite("OpenAI stream decoding")
struct OpenAIStreamDecoderTests {
    static let recorded = """
        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}

        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}

        data: [DONE]


        """

    @Test("usage and [DONE] are found wherever the chunks split")
    func everySplit() throws {
        let bytes = Array(Self.recorded.utf8)
        for split in 0...bytes.count {
            var decoder = OpenAIStreamDecoder()
            try decoder.observe(ByteBuffer(bytes: bytes[..<split]))
            try decoder.observe(ByteBuffer(bytes: bytes[split...]))
            #expect(decoder.sawDone, "split at \(split)")
            #expect(decoder.usage == TokenUsage(promptTokens: 9, completionTokens: 2), "split at \(split)")
        }
    }

    @Test("a stream that ends before [DONE] fails instead of ending quietly")
    func truncatedStreamFails() async throws {
        let truncated = Array(Self.recorded.utf8.prefix(120))
        let stream = CheckedOpenAIStream(base: UpstreamBody([ByteBuffer(bytes: truncated)].async), summary: StreamSummary())
        // Nothing of the cut event is relayed (only whole events are), and the stream fails.
        var iterator = stream.makeAsyncIterator()
        var relayed = ""
        do {
            while let chunk = try await iterator.next() { relayed += String(buffer: chunk) }
            Issue.record("the cut stream ended quietly")
        } catch {
            #expect(error is GatewayError)
        }
        #expect(relayed.isEmpty)
    }

    @Test("the pass-through stream hands its id, finish reasons and usage to its summary")
    func usageRecorded() async throws {
        let summary = StreamSummary()
        let stream = CheckedOpenAIStream(base: UpstreamBody([ByteBuffer(string: Self.recorded)].async), summary: summary)
        for try await _ in stream {}
        #expect(summary.usage == TokenUsage(promptTokens: 9, completionTokens: 2))
        #expect(summary.value.id == "c1")
        #expect(summary.value.finishReasons == ["stop"])
    }

    @Test("usage and finish reasons are found however the upstream spaces its JSON; null usage is not decoded")
    func spacing() throws {
        let usage = Array(#""usage""#.utf8)
        #expect(OpenAIStreamDecoder.has(Array(#"{"usage": {"a":1}}"#.utf8), usage, startingWith: UInt8(ascii: "{")))
        #expect(OpenAIStreamDecoder.has(Array("{\"usage\"\n :\t{}}".utf8), usage, startingWith: UInt8(ascii: "{")))
        #expect(!OpenAIStreamDecoder.has(Array(#"{"usage":null,"x":"usage"}"#.utf8), usage, startingWith: UInt8(ascii: "{")))
        var decoder = OpenAIStreamDecoder()
        let spaced = #"data: {"id": "c1", "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 5}}"# + "\n\n"
        try decoder.observe(ByteBuffer(string: #"data: {"id": "c1", "choices": []}"# + "\n\n" + spaced + "data: [DONE]\n\n"))
        #expect(decoder.usage == TokenUsage(promptTokens: 4, completionTokens: 5))
    }

    @Test("CRLF line endings are understood")
    func crlf() throws {
        var decoder = OpenAIStreamDecoder()
        try decoder.observe(ByteBuffer(string: "data: [DONE]\r\n\r\n"))
        #expect(decoder.sawDone)
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}

@Suite("Pass-through relay of whole events")
struct WholeEventRelayTests {
    @Test("events split across chunks (LF or CRLF) are relayed whole and byte-identical, wherever they split", arguments: ["\n", "\r\n"])
    func wholeEvents(lineEnd: String) async throws {
        let text = OpenAIStreamDecoderTests.recorded.replacingOccurrences(of: "\n", with: lineEnd)
        let bytes = Array(text.utf8)
        for split in 1..<bytes.count {
            let pieces = [ByteBuffer(bytes: bytes[..<split]), ByteBuffer(bytes: bytes[split...])]
            let stream = CheckedOpenAIStream(base: UpstreamBody(pieces.async), summary: StreamSummary())
            var relayed: [String] = []
            for try await chunk in stream { relayed.append(String(buffer: chunk)) }
            #expect(relayed.joined() == text, "split at \(split)")
            // Every relayed piece ends at an event boundary (the lenient last event aside). A CR ends a line by
            // itself, so a blank line's CR closes the event even when its LF is still on the way.
            for piece in relayed.dropLast() {
                #expect(piece.hasSuffix(lineEnd + lineEnd) || piece.hasSuffix("\r\n\r"), "split at \(split): \(relayed)")
            }
        }
    }
}

@Suite("Usage on every OpenAI-type stream")
struct StreamUsageTests {
    @Test("the usage chunk the client did not ask for is counted and not relayed, wherever the chunks split")
    func strippedEverySplit() async throws {
        let bytes = Array(OpenAIStreamDecoderTests.recorded.utf8)
        for split in 1..<bytes.count {
            let pieces = [ByteBuffer(bytes: bytes[..<split]), ByteBuffer(bytes: bytes[split...])]
            let summary = StreamSummary()
            let stream = CheckedOpenAIStream(base: UpstreamBody(pieces.async), summary: summary, stripsUsage: true)
            var relayed = ""
            for try await chunk in stream { relayed += String(buffer: chunk) }
            #expect(!relayed.contains("usage"), "split at \(split)")
            #expect(relayed.contains(#""finish_reason":"stop""#) && relayed.hasSuffix("data: [DONE]\n\n"), "split at \(split)")
            #expect(summary.usage == TokenUsage(promptTokens: 9, completionTokens: 2), "split at \(split)")
        }
    }

    @Test("a chunk with usage beside its choices holds content and is kept; null usage and empty choices alone are not usage chunks")
    func usageOnly() {
        func event(_ json: String) -> SSEEvent { SSEEvent(name: nil, data: Array(json.utf8)) }
        #expect(OpenAIStreamDecoder.isUsageOnly(event(#"{"choices": [ ], "usage": {"total_tokens": 3}}"#)))
        #expect(!OpenAIStreamDecoder.isUsageOnly(event(#"{"choices":[{"delta":{"content":"x"}}],"usage":{"total_tokens":3}}"#)))
        #expect(!OpenAIStreamDecoder.isUsageOnly(event(#"{"choices":[],"usage":null}"#)))
        #expect(!OpenAIStreamDecoder.isUsageOnly(event(#"{"usage":{"total_tokens":3}}"#)))
        // An upstream's chunk cut at any byte is read without a crash; only a cut after the choices' `]` still
        // reads as usage-only (the detector reads keys, the scan that follows checks the JSON).
        let whole = Array(#"{"usage":{"total_tokens":3},"choices":[]}"#.utf8)
        let closing = whole.lastIndex(of: UInt8(ascii: "]"))!
        for cut in 0...whole.count {
            let verdict = OpenAIStreamDecoder.isUsageOnly(SSEEvent(data: Array(whole[..<cut])))
            #expect(verdict == (cut > closing), "cut at \(cut)")
        }
    }

    @Test("usage is asked for by splicing one member in, or by editing the stream_options the body names")
    func askingForUsage() throws {
        func asked(_ body: String) throws -> [String: JSONValue] {
            let out = try StreamUsageRequest.askingForUsage(ByteBuffer(string: body))
            return try RequestDecoding.decode([String: JSONValue].self, from: out)
        }
        let rest = #""model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
        let spliced = try StreamUsageRequest.askingForUsage(ByteBuffer(string: " {" + rest))
        // Every byte of the client's body is kept, the member inserted after the brace.
        #expect(String(buffer: spliced) == #" {"stream_options":{"include_usage":true},"# + rest)
        let usage: JSONValue = .object(["include_usage": .bool(true)])
        #expect(try asked("{}")["stream_options"] == usage)
        #expect(try asked(#"{"stream_options":null,"model":"m"}"#)["stream_options"] == usage)
        let edited = try asked(#"{"model":"m","stream_options":{"include_usage":false,"include_obfuscation":false}}"#)
        #expect(edited["stream_options"] == .object(["include_usage": .bool(true), "include_obfuscation": .bool(false)]))
        #expect(edited["model"] == .string("m"))
        // Named only inside a message: decoded and edited, never a second member.
        let quoted = try asked(#"{"messages":[{"role":"user","content":"\"stream_options\""}]}"#)
        #expect(quoted["stream_options"] == usage)
    }
}
