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
            route = try router.primaryRoute(for: request.model)
        } catch {
            return try await ResponseWriting.fail(error, scope: scope, slot: slot)
        }
        scope.outcome.update {
            $0.provider = route.provider.name
            $0.model = request.model
            $0.attempts = 1
        }
        try await ResponseWriting.answer(route: route, operation: .embeddings, scope: scope, slot: slot) { () async throws(GatewayError) in
            try await route.provider.embeddings(request, model: route.model)
        }
    }
}
