import Foundation
import NIOCore

/// The built-in provider: answers in-process with a deterministic reply derived from the prompt,
/// with configurable latency, pacing, reply length and injected errors. It is a real provider type:
/// the dev default, the tests and the benchmarks use it.
struct MockProvider: ChatProvider {
    let name: String
    let type = ProviderType.mock
    let serverAddress: (host: String, port: Int)? = nil
    let settings: MockSettings

    init(name: String, config: ProviderConfig) {
        self.name = name
        self.settings = config.mock
    }

    func chatCompletion(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderReply {
        try injectFailure()
        try await pause(milliseconds: settings.latencyMs)
        let reply = makeReply(request)
        let completion = MockWireFormat.Completion(
            id: reply.id,
            created: Self.now(),
            model: model,
            choices: [.init(message: .init(content: reply.text), finish_reason: reply.finishReason)],
            usage: reply.usage
        )
        let summary = ResponseSummary(id: reply.id, model: model, finishReasons: [reply.finishReason], usage: reply.usage)
        return ProviderReply(body: MockWireFormat.json(completion), summary: summary)
    }

    func chatCompletionStream(_ request: ChatCompletionRequest, model: String) async throws(GatewayError) -> ProviderStream {
        try injectFailure()
        let reply = makeReply(request)
        let stream = MockStream(reply: reply, model: model, includeUsage: request.includeUsage, settings: settings, created: Self.now())
        let summary = ResponseSummary(id: reply.id, model: model, finishReasons: [reply.finishReason], usage: reply.usage)
        return ProviderStream(events: UpstreamBody(stream), summary: StreamSummary(summary))
    }

    func embeddings(_ request: EmbeddingsRequest, model: String) async throws(GatewayError) -> ProviderReply {
        try injectFailure()
        try await pause(milliseconds: settings.latencyMs)
        let dimensions = request.dimensions ?? 8
        let items = request.inputs.enumerated().map { index, text in
            MockWireFormat.Embeddings.Item(index: index, embedding: MockReply.embedding(of: text, dimensions: dimensions))
        }
        let tokens = request.inputs.reduce(0) { $0 + max(1, ($1.utf8.count + 3) / 4) }
        let body = MockWireFormat.Embeddings(data: items, model: model, usage: .init(prompt_tokens: tokens, total_tokens: tokens))
        let summary = ResponseSummary(model: model, usage: TokenUsage(promptTokens: tokens, completionTokens: 0))
        return ProviderReply(body: MockWireFormat.json(body), summary: summary)
    }

    /// Fails as often as requests do (`error_rate`), so injected faults show in health like real ones.
    func probe(timeout: Duration) async throws(GatewayError) {
        try injectFailure()
    }

    private func makeReply(_ request: ChatCompletionRequest) -> MockReply {
        MockReply(promptTexts: request.messages.map(\.text), replyTokens: settings.replyTokens, maxTokens: request.maxTokens)
    }

    private func injectFailure() throws(GatewayError) {
        guard settings.errorRate > 0, Double.random(in: 0..<1) < settings.errorRate else { return }
        let status = settings.errorStatus
        throw GatewayError.upstreamStatus(
            status: status,
            message: "The mock provider injected an HTTP \(status) error.",
            type: nil,
            code: nil,
            retryAfter: status == 429 ? "1" : nil
        )
    }

    private func pause(milliseconds: Int) async throws(GatewayError) {
        guard milliseconds > 0 else { return }
        do {
            try await Task.sleep(for: .milliseconds(milliseconds))
        } catch {
            throw GatewayError.cancelled
        }
    }

    private static func now() -> Int { Int(Date().timeIntervalSince1970) }
}
