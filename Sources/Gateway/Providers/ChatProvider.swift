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
    /// Host and port the provider's requests go to (`server.address`/`server.port` on spans); nil in-process.
    var serverAddress: (host: String, port: Int)? { get }

    func chatCompletion(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderReply
    /// Starts a stream: returns once the upstream accepted the request, so errors before the first
    /// byte still become a proper HTTP status.
    func chatCompletionStream(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderStream
    func embeddings(_ request: EmbeddingsRequest, model: String) async throws(GatewayError) -> ProviderReply
    /// The active health check: the cheapest request that proves the provider answers with our credentials.
    /// Throws the failure when it does not.
    func probe(timeout: Duration) async throws(GatewayError)
}

/// The API an answer's bytes are in: OpenAI chat (what every adapter translates to), or OpenAI's Responses
/// API, which a ``ResponsesPassthrough`` provider answers `/v1/responses` requests in as they were sent.
public enum AnswerFormat: Sendable {
    case chat
    case responses
}

/// A complete JSON answer — OpenAI-shaped unless ``format`` says otherwise — and what it says about itself
/// (id, model, finish reasons, usage).
public struct ProviderReply: Sendable {
    public var body: ByteBuffer
    public var summary: ResponseSummary
    public var format: AnswerFormat

    public init(body: ByteBuffer, summary: ResponseSummary, format: AnswerFormat = .chat) {
        self.body = body
        self.summary = summary
        self.format = format
    }

    public var usage: TokenUsage? { summary.usage }
}

/// The parts of an OpenAI `chat.completion` (or of its chunks) that telemetry reports. Decoding is strict:
/// a field of the wrong type makes the answer unreadable rather than silently unreported.
public struct ResponseSummary: Sendable, Equatable, Decodable {
    public var id: String?
    public var model: String?
    public var finishReasons: [String] = []
    public var usage: TokenUsage?
    /// The error event the stream ended with, as the upstream reported it (its text is for logs; clients
    /// get it sanitised). Such a stream ended as its protocol allows, but the answer is not complete.
    public var streamError: GatewayError?
    public var endedInError: Bool { streamError != nil }

    public init(id: String? = nil, model: String? = nil, finishReasons: [String] = [], usage: TokenUsage? = nil) {
        self.id = id
        self.model = model
        self.finishReasons = finishReasons
        self.usage = usage
    }

    private enum CodingKeys: String, CodingKey { case id, model, choices, usage }
    private struct Choice: Decodable { var finish_reason: String? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        finishReasons = try (container.decodeIfPresent([Choice].self, forKey: .choices) ?? []).compactMap(\.finish_reason)
        usage = try container.decodeIfPresent(TokenUsage.self, forKey: .usage)
    }

    /// Fills what `other` knows and this does not (stream chunks each tell a part).
    mutating func merge(_ other: ResponseSummary) {
        id = id ?? other.id
        model = model ?? other.model
        finishReasons += other.finishReasons
        usage = other.usage ?? usage
        streamError = streamError ?? other.streamError
    }
}

/// A started stream of OpenAI SSE events, and the summary it gave once it has ended.
public struct ProviderStream: Sendable {
    public var events: UpstreamBody
    public let summary: StreamSummary
    /// The API of the events: OpenAI chat chunks, or Responses API events passed through.
    public let format: AnswerFormat

    public init(events: UpstreamBody, summary: StreamSummary, format: AnswerFormat = .chat) {
        self.events = events
        self.summary = summary
        self.format = format
    }
}

/// Where a stream's reader leaves what the stream said about itself, for telemetry after the stream.
public final class StreamSummary: Sendable {
    private let stored: Mutex<ResponseSummary>

    public init(_ summary: ResponseSummary = ResponseSummary()) {
        stored = Mutex(summary)
    }

    public var value: ResponseSummary { stored.withLock { $0 } }
    public var usage: TokenUsage? { value.usage }

    func record(_ summary: ResponseSummary) {
        stored.withLock { $0 = summary }
    }
}
