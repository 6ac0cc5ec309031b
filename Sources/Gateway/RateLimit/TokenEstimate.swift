/// What a request is expected to cost in tokens before it is sent, for token-per-minute reservations:
/// about four bytes of text per token plus three tokens of framing per message, and the completion's
/// `max_tokens` (256 when the client sets none). Settled against the real usage afterwards.
enum TokenEstimate {
    static let defaultCompletionTokens = 256

    static func chat(_ request: ChatCompletionRequest) -> Int {
        let bytes = request.messages.reduce(0) { $0 + $1.text.utf8.count }
        let prompt = request.messages.count * 3 + (bytes + 3) / 4
        return prompt + (request.maxTokens ?? defaultCompletionTokens)
    }

    static func embeddings(_ request: EmbeddingsRequest) -> Int {
        request.inputs.reduce(0) { $0 + max(1, ($1.utf8.count + 3) / 4) }
    }
}
