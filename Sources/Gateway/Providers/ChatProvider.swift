import NIOCore
import NIOHTTP1

/// A provider adapter: maps the gateway's OpenAI-shaped requests onto one provider's wire format and
/// maps that provider's answers back. Adapters throw ``GatewayError`` only.
///
/// Every call returns OpenAI-shaped bytes: a `chat.completion` / embeddings JSON object, or SSE
/// events (`data: {chunk}\n\n` … `data: [DONE]\n\n`). Adapters whose upstream already speaks OpenAI
/// pass bytes through untouched.
public protocol ChatProvider: Sendable {
    /// The name under `providers:` (what metrics, logs and `provider/model` routing use).
    var name: String { get }
    var type: ProviderType { get }

    func chatCompletion(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderReply
    /// Starts a stream: returns once the upstream accepted the request, so errors before the first
    /// byte still become a proper HTTP status.
    func chatCompletionStream(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> UpstreamBody
    func embeddings(_ request: EmbeddingsRequest, model: String) async throws(GatewayError) -> ProviderReply
}

/// A complete, OpenAI-shaped JSON answer.
public struct ProviderReply: Sendable {
    public var body: ByteBuffer

    public init(body: ByteBuffer) {
        self.body = body
    }
}
