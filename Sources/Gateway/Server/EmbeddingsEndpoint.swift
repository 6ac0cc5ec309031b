import HummingbirdCore
import NIOCore

/// `POST /v1/embeddings`: validate, route, forward.
struct EmbeddingsEndpoint: Sendable {
    let router: ModelRouter

    func handle(body: ByteBuffer, scope: RequestScope, slot: WriterSlot) async throws {
        let request: EmbeddingsRequest
        let route: Route
        do {
            request = try EmbeddingsRequest(body: body)
            route = try router.resolve(request.model).first ?? { throw GatewayError.modelNotFound(request.model) }()
        } catch {
            return try await ResponseWriting.fail(error, scope: scope, slot: slot)
        }
        let started = ContinuousClock.now
        let reply: ProviderReply
        do {
            reply = try await route.provider.embeddings(request, model: route.model)
        } catch {
            route.health.recordFailure(error)
            return try await ResponseWriting.fail(error, scope: scope, slot: slot, provider: route.provider.name)
        }
        route.health.recordSuccess(latency: .now - started)
        guard let writer = slot.take() else { return }
        try await ResponseWriting.json(reply.body, extraHeaders: scope.responseHeaders(provider: route.provider.name), to: writer)
    }
}
