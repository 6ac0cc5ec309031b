import NIOCore

/// Re-encodes a relayed OpenAI event stream for a client that speaks another API.
protocol StreamTranslator: Sendable {
    /// The events to send for `chunk` (possibly none until a whole event has arrived); throws when the
    /// chunk is not what the upstream's API promises.
    mutating func translate(_ chunk: ByteBuffer) throws(GatewayError) -> ByteBuffer
    /// The events still owed when the stream ends (a last event the upstream did not close with a blank line).
    mutating func finish() throws(GatewayError) -> ByteBuffer
    /// The event that reports a failure after the stream started.
    func error(_ error: GatewayError, requestID: String?, provider: String?) -> ByteBuffer
    /// Work that must be done before the last translated events are sent (storing the response a client may
    /// ask for as soon as it has them); nil when there is none, and once taken.
    mutating func takeFollowUp() -> (@Sendable () async -> Void)?
}

extension StreamTranslator {
    mutating func takeFollowUp() -> (@Sendable () async -> Void)? { nil }
}

/// The API a client speaks: OpenAI (`/v1/chat/completions`, the pipeline's own shape, passed through),
/// Anthropic (`/v1/messages`) or OpenAI's Responses API (`/v1/responses`), both translated at the edge so
/// every provider can serve them.
enum ResponseDialect: Sendable {
    case openAI
    case anthropic
    /// With what its answers repeat of the request. Indirect: the echo is a few hundred bytes, and a dialect is
    /// part of every ``RequestScope``, which every async context on a request's path holds (a stream keeps
    /// those contexts for its whole life) — boxed, it is one reference there.
    indirect case responses(ResponsesEcho)

    /// An error body in this dialect.
    func errorBody(_ error: GatewayError, requestID: String? = nil, provider: String? = nil) -> ByteBuffer {
        switch self {
        case .openAI, .responses: OpenAIErrorBody.json(for: error, requestID: requestID, provider: provider)
        case .anthropic: MessagesResponseMapping.error(error, requestID: requestID, provider: provider)
        }
    }

    /// A whole OpenAI answer in this dialect (a stored Responses answer is stored before it is returned).
    func render(_ completion: ByteBuffer) async throws(GatewayError) -> ByteBuffer {
        switch self {
        case .openAI: completion
        case .anthropic: try MessagesResponseMapping.message(from: completion)
        case .responses(let echo): try await ResponsesResponseMapping.response(from: completion, echo: echo)
        }
    }

    /// A Responses request's own body and model, for deployments that take it as it is (``ResponsesPassthrough``).
    var passthrough: (body: ByteBuffer, model: String)? {
        guard case .responses(let echo) = self, let original = echo.original else { return nil }
        return (original, echo.model)
    }

    /// `provider/model` of the one deployment the request must go to (it holds the conversation).
    var pinnedRoute: String? {
        guard case .responses(let echo) = self else { return nil }
        return echo.pinnedRoute
    }

    /// Notes where a passed-through answer (`id`, from `route`) is stored by its provider.
    func passedThrough(id: String?, route: Route) async {
        guard case .responses(let echo) = self else { return }
        await echo.rememberDeployment(id: id, route: route)
    }

    /// Nil for OpenAI: its streams pass through untouched. Not inlined: the encoders are large values, and built
    /// inside a stream's relay they would take room in its long-lived async context.
    @inline(never)
    func streamTranslator() -> (any StreamTranslator)? {
        switch self {
        case .openAI: nil
        case .anthropic: MessagesStreamEncoder()
        case .responses(let echo): ResponsesStreamEncoder(echo: echo)
        }
    }
}
