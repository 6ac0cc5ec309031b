import NIOCore

/// `/v1/responses`: turns a Responses API request into the chat pipeline's body (after the stored
/// conversation its `previous_response_id` names), and serves `GET` and `DELETE /v1/responses/{id}` from
/// the response store — for the client key that stored the response only.
struct ResponsesEndpoint: Sendable {
    static let pathPrefix = "/v1/responses/"

    let store: ResponseStateStore

    /// The chat body and the dialect the answer is rendered in.
    func translate(_ body: ByteBuffer, scope: RequestScope) async throws(GatewayError) -> (ByteBuffer, ResponseDialect) {
        let request = try ResponsesRequestMapping.decode(body)
        let client = scope.clientName ?? ClientKeys.anonymous
        var previous: [ChatRequestWire.Message] = []
        if let id = request.previousResponseID {
            guard let record = try await store.load(id: id, client: client) else {
                throw GatewayError.invalidRequest(message: "Previous response with id '\(id)' not found.", param: "previous_response_id")
            }
            previous = record.conversation
        }
        var (chat, echo) = try ResponsesRequestMapping.chatBody(for: request, previous: previous)
        echo.client = client
        echo.store = request.store == false ? nil : store
        return (chat, .responses(echo))
    }

    /// `GET /v1/responses/{id}`: the stored response as it was answered.
    func get(id: String, scope: RequestScope, writer: consuming ClientResponseWriter) async throws {
        let record: ResponseStateStore.Record?
        do {
            record = try await store.load(id: id, client: scope.clientName ?? ClientKeys.anonymous)
        } catch {
            return try await ResponseWriting.refuse(error, scope: scope, to: writer)
        }
        guard let record else { return try await ResponseWriting.refuse(.responseNotFound(id), scope: scope, to: writer) }
        try await ResponseWriting.json(ByteBuffer(string: record.response), extraHeaders: scope.responseHeaders(), outcome: scope.outcome, to: writer)
    }

    /// `DELETE /v1/responses/{id}`: `{"id", "object": "response", "deleted": true}`, or 404.
    func delete(id: String, scope: RequestScope, writer: consuming ClientResponseWriter) async throws {
        let deleted: Bool
        do {
            deleted = try await store.delete(id: id, client: scope.clientName ?? ClientKeys.anonymous)
        } catch {
            return try await ResponseWriting.refuse(error, scope: scope, to: writer)
        }
        guard deleted else { return try await ResponseWriting.refuse(.responseNotFound(id), scope: scope, to: writer) }
        let body = WireJSON.encode(Deleted(id: id))
        try await ResponseWriting.json(body, extraHeaders: scope.responseHeaders(), outcome: scope.outcome, to: writer)
    }

    private struct Deleted: Encodable {
        var id: String
        var object = "response"
        var deleted = true
    }
}
