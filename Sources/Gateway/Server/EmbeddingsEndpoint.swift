import NIOCore

/// `POST /v1/embeddings`: validate, route, forward.
struct EmbeddingsEndpoint: Sendable {
    let router: ModelRouter
    let limiter: RateLimiter?
    var budgets: BudgetEnforcer?

    func handle(body: ByteBuffer, scope: RequestScope, slot: WriterSlot) async throws {
        let request: EmbeddingsRequest
        let routes: [Route]
        let tokens: Int
        do {
            request = try EmbeddingsRequest(body: body)
            routes = try router.resolve(request.model)
            tokens = TokenEstimate.embeddings(request)
            try await limiter?.admitClient(scope: scope, tokens: tokens)
            try await budgets?.admit(scope: scope, tokens: tokens, routes: routes)
        } catch {
            return try await ResponseWriting.fail(error, scope: scope, slot: slot)
        }
        scope.outcome.update { $0.model = request.model }
        try await ResponseWriting.answer(router.upstream, routes: routes, tokens: tokens, operation: .embeddings, scope: scope, slot: slot) {
            route async throws(GatewayError) in
            try await route.provider.embeddings(request, model: route.model)
        }
    }
}
