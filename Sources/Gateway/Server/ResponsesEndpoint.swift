import NIOCore
import NIOHTTP1

/// `/v1/responses`: turns a Responses API request into the chat pipeline's body (after the stored
/// conversation its `previous_response_id` names) and keeps the client's own body for deployments that
/// serve the Responses API themselves (``ResponsesPassthrough``); serves `GET` and `DELETE
/// /v1/responses/{id}` from the response store, or from the deployment that holds a passed-through
/// response — for the client key that created the response only.
struct ResponsesEndpoint: Sendable {
    static let pathPrefix = "/v1/responses/"

    let store: ResponseStateStore
    let router: ModelRouter

    /// The chat body and the dialect the answer is rendered in.
    func translate(_ body: ByteBuffer, scope: RequestScope) async throws(GatewayError) -> (ByteBuffer, ResponseDialect) {
        let request = try ResponsesRequestMapping.decode(body)
        var previous: [ChatRequestWire.Message] = []
        var pinned: String?
        if let id = request.previousResponseID {
            guard let record = try await store.load(id: id, client: scope.owner) else {
                throw GatewayError.invalidRequest(message: "Previous response with id '\(id)' not found.", param: "previous_response_id")
            }
            if let deployment = record.deployment { pinned = deployment } else { previous = record.conversation }
        }
        let (some, all) = passthroughDeployments(request.model, pinnedTo: pinned)
        // (A model the residency policy refuses is the chat pipeline's to refuse, with its 403.)
        if pinned != nil && !all && router.residency.allows(model: request.model ?? "") {
            throw GatewayError.invalidRequest(
                message: "Previous response with id '\(request.previousResponseID ?? "")' is held by a deployment that is no longer configured.",
                param: "previous_response_id"
            )
        }
        // The gateway holds the conversation of a response it translated: only translation can continue it.
        let passesThrough = some && (request.previousResponseID == nil || pinned != nil)
        // Where every deployment takes the request as it is, what only translation refuses (built-in tools, …) is
        // the provider's to accept: the chat body then only serves routing, limits and estimates.
        var (chat, echo) = try ResponsesRequestMapping.chatBody(for: request, previous: previous, lenient: passesThrough && all)
        echo.client = scope.owner
        echo.store = request.store == false ? nil : store
        echo.original = passesThrough ? body : nil
        echo.pinnedRoute = pinned
        return (chat, .responses(echo))
    }

    /// Whether some, and whether all, of the deployments the request goes to pass `/v1/responses` through.
    private func passthroughDeployments(_ model: String?, pinnedTo deployment: String?) -> (some: Bool, all: Bool) {
        // A model the residency policy refuses is refused (and counted) once, by the chat pipeline.
        guard let model, router.residency.allows(model: model), let routes = try? router.resolve(model, pinnedTo: deployment) else {
            return (false, false)
        }
        let passing = routes.count { $0.provider is any ResponsesPassthrough }
        return (passing > 0, passing == routes.count)
    }

    /// `GET /v1/responses/{id}`: the stored response as it was answered (from the deployment that holds it,
    /// for a passed-through one).
    func get(id: String, scope: RequestScope, writer: consuming ClientResponseWriter) async throws {
        let body: ByteBuffer
        do throws(GatewayError) {
            guard let record = try await store.load(id: id, client: scope.owner) else { throw .responseNotFound(id) }
            if let deployment = record.deployment {
                body = try await fromDeployment(deployment, id: id, method: .GET)
            } else {
                body = ByteBuffer(string: record.response)
            }
        } catch {
            return try await ResponseWriting.refuse(error, scope: scope, to: writer)
        }
        try await ResponseWriting.json(body, extraHeaders: scope.responseHeaders(), outcome: scope.outcome, to: writer)
    }

    /// `DELETE /v1/responses/{id}`: `{"id", "object": "response", "deleted": true}` (the deployment's answer for a
    /// passed-through response, which it deletes too), or 404.
    func delete(id: String, scope: RequestScope, writer: consuming ClientResponseWriter) async throws {
        var body = WireJSON.encode(Deleted(id: id))
        do throws(GatewayError) {
            guard let record = try await store.load(id: id, client: scope.owner) else { throw .responseNotFound(id) }
            if let deployment = record.deployment { body = try await fromDeployment(deployment, id: id, method: .DELETE) }
            guard try await store.delete(id: id, client: scope.owner) else { throw .responseNotFound(id) }
        } catch {
            return try await ResponseWriting.refuse(error, scope: scope, to: writer)
        }
        try await ResponseWriting.json(body, extraHeaders: scope.responseHeaders(), outcome: scope.outcome, to: writer)
    }

    /// The deployment's own answer to `GET` or `DELETE` of a response it holds; its 404 is the gateway's.
    private func fromDeployment(_ deployment: String, id: String, method: HTTPMethod) async throws(GatewayError) -> ByteBuffer {
        guard let provider = router.route(of: deployment)?.provider as? any ResponsesPassthrough else {
            throw .responseNotFound(id)
        }
        let (status, body) = try await provider.storedResponse(id: id, method: method)
        guard (200..<300).contains(status) else {
            throw status == 404 ? .responseNotFound(id) : UpstreamErrors.from(status: status, body: body, retryAfter: nil)
        }
        return body
    }

    private struct Deleted: Encodable {
        var id: String
        var object = "response"
        var deleted = true
    }
}
