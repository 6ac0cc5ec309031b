import Crypto
import Foundation
import NIOCore

/// The exact-match cache key of a chat request: SHA-256 of the client's identity and a canonical JSON of
/// what determines the answer — model, messages, tools, and the sampling parameters — with keys sorted, so
/// key order and unrelated fields (`user`, `metadata`) do not matter. Streamed and whole answers are cached
/// apart (their bytes differ). The identity keeps tenants apart: one client key never reads another's
/// answers unless `cache.shared_across_keys` says so.
enum CacheKey {
    static let fields = [
        "model", "messages", "tools", "tool_choice", "functions", "function_call", "response_format", "temperature",
        "top_p", "n", "stop", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty",
        "logit_bias", "logprobs", "top_logprobs", "seed", "stream", "stream_options", "reasoning_effort",
    ]

    /// Nil when the body is not a JSON object (it would have been refused before anyway).
    /// - Parameter client: the client key's name, or nil when the entry is shared by every client.
    static func chat(_ body: ByteBuffer, client: String?) -> String? {
        guard let object = try? JSONValue.members(of: body) else { return nil }
        var canonical: [String: JSONValue] = [:]
        for field in fields { canonical[field] = object[field] }
        // The identity is a field of its own, so no body can produce another client's key.
        canonical["~client"] = client.map(JSONValue.string) ?? .null
        var text: [UInt8] = []
        JSONValue.object(canonical).write(to: &text)
        return SHA256.hash(data: text).lowercaseHex
    }
}
