import Crypto
import Foundation
import NIOCore

/// The exact-match cache key of a chat request: SHA-256 of a canonical JSON of what determines the answer —
/// model, messages, tools, and the sampling parameters — with keys sorted, so key order and unrelated
/// fields (`user`, `metadata`) do not matter. Streamed and whole answers are cached apart (their bytes differ).
enum CacheKey {
    static let fields = [
        "model", "messages", "tools", "tool_choice", "functions", "function_call", "response_format", "temperature",
        "top_p", "n", "stop", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty",
        "logit_bias", "logprobs", "top_logprobs", "seed", "stream", "stream_options", "reasoning_effort",
    ]

    /// Nil when the body is not a JSON object (it would have been refused before anyway).
    static func chat(_ body: ByteBuffer) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else { return nil }
        var canonical: [String: Any] = [:]
        for field in fields { canonical[field] = object[field] }
        guard let data = try? JSONSerialization.data(withJSONObject: canonical, options: [.sortedKeys]) else { return nil }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
