import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import Gateway

/// Random and mutated inputs for every decoder that reads what clients or upstreams send: request bodies
/// (chat, embeddings, `/v1/messages`), the SSE reader and every stream decoder and re-encoder, the AWS
/// event-stream decoder, cache keys and upstream error bodies. Each must return or throw — never trap,
/// never hang. The seed is fixed so a failure reproduces; `FUZZ_ITERATIONS` runs longer (the README gives
/// the last long run). The time limit grows with the count (about 30 s per 50,000 in a debug build, 4× margin).
@Suite("Fuzzing the decoders")
struct FuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"].flatMap(Int.init) ?? 1500
    /// Minutes each target may take: a hang, or time growing faster than the input count, still fails.
    static let minutes = max(5, iterations / 25_000)

    /// SplitMix64: small, fast, and the same sequence on every machine.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
    }

    /// Fragments that reach edges: numbers at every type's limits, framing bytes, JSON structure.
    static let tokens: [String] = [
        "9223372036854775807", "-9223372036854775808", "99999999999999999999", "1e309", "-1", "0", "NaN", "null", "true",
        "\"", "\\", "\\u0000", "\u{0}", "{", "}", "[", "]", ",", ":", "\r", "\n", "\r\n", "\n\n", "data:", "data: [DONE]", "event: ",
        "id:", ": ", "\u{FFFD}", "\u{1F642}", String(repeating: "a", count: 300), String(repeating: "[", count: 600),
    ]

    static func mutate(_ input: [UInt8], _ random: inout Generator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty && position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
            case 2 where position < bytes.count:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...32, using: &random)))
            case 3: bytes.insert(contentsOf: tokens.randomElement(using: &random)!.utf8, at: position)
            case 4 where position < bytes.count:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default: bytes = Array((0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            }
        }
        return bytes
    }

    /// Runs `body` on `iterations` mutants of the seeds, each cut into random chunks.
    static func fuzz(_ seeds: [String], seed: UInt64, _ body: ([ByteBuffer]) -> Void) {
        var random = Generator(state: seed)
        let corpus = seeds.map { Array($0.utf8) }
        for _ in 0..<iterations {
            let bytes = mutate(corpus.randomElement(using: &random)!, &random)
            var chunks: [ByteBuffer] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...max(1, bytes.count), using: &random))
                chunks.append(ByteBuffer(bytes: bytes[start..<end]))
                start = end
            }
            body(chunks)
        }
    }

    /// Runs CPU-bound test work on NIO's blocking-work pool: seconds of it on one of Swift concurrency's few
    /// threads (two on two cores) would starve every other test of the parallel suite meanwhile.
    static func offThePool<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async throws -> Value {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    static func whole(_ chunks: [ByteBuffer]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for var chunk in chunks { buffer.writeBuffer(&chunk) }
        return buffer
    }

    static let requests = [
        #"{"model":"mock-gpt","stream":true,"stream_options":{"include_usage":true},"max_tokens":10,"temperature":0.5,"n":1,"messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}"#,
        #"{"model":"m","input":["a","b"],"dimensions":8}"#,
        #"{"model":"m","max_tokens":100,"system":[{"type":"text","text":"s"}],"stream":true,"tools":[{"name":"t","input_schema":{}}],"tool_choice":{"type":"tool","name":"t"},"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}},{"type":"tool_result","tool_use_id":"x","content":[{"type":"text","text":"r"}]}]}]}"#,
        #"{"model":"m","instructions":"i","max_output_tokens":9,"text":{"format":{"type":"json_schema","name":"n","schema":{}}},"tool_choice":{"type":"function","name":"f"},"tools":[{"type":"function","name":"f","parameters":{}}],"input":[{"role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_image","image_url":"u"}]},{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"o"}]}"#,
    ]

    @Test("request decoders: chat, embeddings, /v1/messages, /v1/responses, cache keys", .timeLimit(.minutes(FuzzTests.minutes)))
    func requestDecoders() async throws {
        try await Self.offThePool { Self.requestDecodersBody() }
    }

    static func requestDecodersBody() {
        Self.fuzz(Self.requests, seed: 1) { chunks in
            let body = Self.whole(chunks)
            if let chat = try? ChatCompletionRequest(body: body) { _ = TokenEstimate.chat(chat) }
            if let embeddings = try? EmbeddingsRequest(body: body) { _ = TokenEstimate.embeddings(embeddings) }
            if let converted = try? MessagesRequestMapping.openAIBody(from: body) { _ = try? ChatCompletionRequest(body: converted) }
            if let converted = try? ResponsesRequestMapping.chatBody(from: body) { _ = try? ChatCompletionRequest(body: converted.body) }
            _ = CacheKey.chat(body, client: "k")
            _ = UpstreamErrors.from(status: 400, body: body, retryAfter: String(decoding: body.readableBytesView.prefix(20), as: UTF8.self))
        }
    }

    static let streams = [
        OpenAIStreamDecoderTests.recorded, MessagesIngressTests.openAIStream, ResponsesIngressTests.openAIStream, AnthropicRecording.stream,
        GeminiRecording.stream, ResponsesPassthroughStreamTests.recorded,
        SSECodecTests.stream(lineEnd: "\r\n"), SSECodecTests.stream(lineEnd: "\r"),
    ]

    @Test("SSE reader and every stream decoder and re-encoder", .timeLimit(.minutes(FuzzTests.minutes)))
    func streamDecoders() async throws {
        try await Self.offThePool { Self.streamDecodersBody() }
    }

    static func streamDecodersBody() {
        Self.fuzz(Self.streams, seed: 2) { chunks in
            var reader = SSEReader(maxEventBytes: 4096)
            var openAI = OpenAIStreamDecoder()
            var anthropic = AnthropicStreamDecoder(includeUsage: true, model: "m")
            var gemini = GeminiStreamDecoder(includeUsage: true, model: "m")
            var messages = MessagesStreamEncoder()
            var responses = ResponsesStreamEncoder(echo: ResponsesEcho(model: "m"))
            var passedThrough = ResponsesStreamWatcher()
            for chunk in chunks {
                _ = try? passedThrough.observe(chunk)
                _ = try? reader.feed(chunk)
                try? openAI.observe(chunk)
                _ = try? anthropic.decode(chunk)
                _ = try? gemini.decode(chunk)
                _ = try? messages.translate(chunk)
                _ = try? responses.translate(chunk)
            }
            _ = try? reader.finish()
            try? openAI.close()
            try? passedThrough.close()
            _ = try? anthropic.finish()
            _ = try? gemini.finish()
            _ = try? messages.finish()
            _ = try? responses.finish()
            _ = responses.error(.upstreamTimeout, requestID: "r", provider: "p")
        }
    }

    @Test("AWS event-stream frames and the Bedrock stream decoder", .timeLimit(.minutes(FuzzTests.minutes)))
    func eventStream() async throws {
        let unmutatedDecodesWhole = try await Self.offThePool { Self.eventStreamBody() }
        // The unmutated frames, split at random, decode whole; the saturated usage does not trap.
        #expect(unmutatedDecodesWhole)
    }

    /// Fuzzes the decoder; returns whether the unmutated frames decoded whole.
    static func eventStreamBody() -> Bool {
        var unmutatedDecodesWhole = false
        let frames = [
            EventStreamWire.event("messageStart", ["role": "assistant"]),
            EventStreamWire.event("contentBlockStart", ["contentBlockIndex": 1, "start": ["toolUse": ["toolUseId": "t", "name": "f"]]]),
            EventStreamWire.event("contentBlockDelta", ["contentBlockIndex": 1, "delta": ["toolUse": ["input": "{}"]]]),
            EventStreamWire.event("messageStop", ["stopReason": "tool_use"]),
            EventStreamWire.event("metadata", ["usage": ["inputTokens": 9_223_372_036_854_775_807, "outputTokens": 1]]),
        ]
        var random = Generator(state: 3)
        let corpus = frames.flatMap { Array($0.readableBytesView) }
        for index in 0..<Self.iterations {
            let bytes = index == 0 ? corpus : Self.mutate(corpus, &random)
            var decoder = BedrockStreamDecoder(includeUsage: true, model: "m")
            var output = ""
            var split = 0
            while split < bytes.count {
                let end = min(bytes.count, split + Int.random(in: 1...64, using: &random))
                guard let events = try? decoder.decode(ByteBuffer(bytes: bytes[split..<end])) else { break }
                output += String(buffer: events)
                split = end
            }
            _ = try? decoder.finish()
            if index == 0 {
                unmutatedDecodesWhole = output.hasSuffix("data: [DONE]\n\n") && decoder.summary.usage?.totalTokens == TokenUsage.maximumCount + 1
            }
        }
        return unmutatedDecodesWhole
    }
}
