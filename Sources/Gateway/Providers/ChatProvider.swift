import NIOCore
import NIOHTTP1
import Synchronization

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
    func chatCompletionStream(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderStream
    func embeddings(_ request: EmbeddingsRequest, model: String) async throws(GatewayError) -> ProviderReply
}

/// A complete, OpenAI-shaped JSON answer and the token usage it reported.
public struct ProviderReply: Sendable {
    public var body: ByteBuffer
    public var usage: TokenUsage?

    public init(body: ByteBuffer, usage: TokenUsage?) {
        self.body = body
        self.usage = usage
    }
}

/// A started stream of OpenAI SSE events, and the usage it reported once it has ended.
public struct ProviderStream: Sendable {
    public var events: UpstreamBody
    public let usage: UsageRecord

    public init(events: UpstreamBody, usage: UsageRecord) {
        self.events = events
        self.usage = usage
    }
}

/// Where a stream's reader leaves the usage it saw, for whoever records metrics after the stream.
public final class UsageRecord: Sendable {
    private let stored = Mutex<TokenUsage?>(nil)

    public init(_ usage: TokenUsage? = nil) {
        stored.withLock { $0 = usage }
    }

    public var usage: TokenUsage? { stored.withLock { $0 } }

    func record(_ usage: TokenUsage?) {
        guard let usage else { return }
        stored.withLock { $0 = usage }
    }
}
