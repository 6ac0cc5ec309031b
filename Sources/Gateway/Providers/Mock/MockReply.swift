/// The mock's deterministic answer: the same prompt always yields the same words and token counts.
struct MockReply: Sendable, Equatable {
    static let vocabulary = [
        "the", "gateway", "routes", "tokens", "through", "a", "quiet", "stream", "of", "metrics", "and", "every",
        "span", "tells", "operators", "what", "happened", "while", "models", "answer", "with", "care", "latency",
        "stays", "low", "under", "load", "so", "alerts", "remain", "calm", "tonight",
    ]

    var words: [String]
    var promptTokens: Int
    /// "stop", or "length" when `max_tokens` cut the reply.
    var finishReason: String
    /// A stable id derived from the prompt.
    var id: String

    init(promptTexts: [String], replyTokens: Int, maxTokens: Int?) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var characters = 0
        for text in promptTexts {
            for byte in text.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            hash = (hash ^ 0x1e) &* 0x0000_0100_0000_01b3
            characters += text.utf8.count
        }
        let count = min(replyTokens, maxTokens ?? .max)
        var state = hash
        words = (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Self.vocabulary[Int(truncatingIfNeeded: state >> 59) % Self.vocabulary.count]
        }
        promptTokens = promptTexts.count * 3 + (characters + 3) / 4
        finishReason = count < replyTokens ? "length" : "stop"
        id = "chatcmpl-mock-" + String(hash, radix: 16)
    }

    var text: String { words.joined(separator: " ") }
    var usage: TokenUsage { TokenUsage(promptTokens: promptTokens, completionTokens: words.count) }

    /// A deterministic unit-length-ish embedding of `text` with `dimensions` components.
    static func embedding(of text: String, dimensions: Int) -> [Double] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let raw = (0..<dimensions).map { _ -> Double in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(Int64(bitPattern: state >> 11)) / Double(1 << 52) - 1
        }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { norm > 0 ? $0 / norm : 0 }
    }
}
