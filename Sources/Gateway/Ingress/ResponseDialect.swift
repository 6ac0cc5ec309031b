import NIOCore

/// Re-encodes a relayed OpenAI event stream for a client that speaks another API.
protocol StreamTranslator: Sendable {
    /// The events to send for `chunk` (possibly none until a whole event has arrived).
    mutating func translate(_ chunk: ByteBuffer) -> ByteBuffer
    /// The event that reports a failure after the stream started.
    func error(_ error: GatewayError) -> ByteBuffer
}

/// The API a client speaks: OpenAI (`/v1/chat/completions`, the pipeline's own shape, passed through) or
/// Anthropic (`/v1/messages`, translated at the edge so every provider can serve it).
enum ResponseDialect: Sendable {
    case openAI
    case anthropic

    /// An error body in this dialect.
    func errorBody(_ error: GatewayError) -> ByteBuffer {
        switch self {
        case .openAI: OpenAIErrorBody.json(for: error)
        case .anthropic: MessagesResponseMapping.error(error)
        }
    }

    /// A whole OpenAI answer in this dialect.
    func render(_ completion: ByteBuffer) -> ByteBuffer {
        switch self {
        case .openAI: completion
        case .anthropic: MessagesResponseMapping.message(from: completion)
        }
    }

    /// Nil for OpenAI: its streams pass through untouched.
    func streamTranslator() -> (any StreamTranslator)? {
        switch self {
        case .openAI: nil
        case .anthropic: MessagesStreamEncoder()
        }
    }
}
