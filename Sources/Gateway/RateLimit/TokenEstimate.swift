/// What a request is expected to cost in tokens before it is sent, for token-per-minute reservations:
/// about four bytes of text per token plus three tokens of framing per message, and the completion's
/// `max_tokens` (256 when the client sets none). Settled against the real usage afterwards. Every sum
/// saturates: `max_tokens` comes from the client.
enum TokenEstimate {
    static let defaultCompletionTokens = 256

    static func chat(_ request: ChatCompletionRequest) -> Int {
        let bytes = request.messages.lazy.map(\.text.utf8.count).saturatedSum()
        let prompt = request.messages.count.multipliedSaturated(by: 3).addingSaturated(tokens(bytes: bytes))
        return prompt.addingSaturated(request.maxTokens ?? defaultCompletionTokens)
    }

    static func embeddings(_ request: EmbeddingsRequest) -> Int {
        request.inputs.lazy.map { max(1, tokens(bytes: $0.utf8.count)) }.saturatedSum()
    }

    /// Four bytes a token, rounded up (`bytes` ≥ 0, so this cannot overflow).
    private static func tokens(bytes: Int) -> Int { bytes / 4 + (bytes % 4 == 0 ? 0 : 1) }
}
