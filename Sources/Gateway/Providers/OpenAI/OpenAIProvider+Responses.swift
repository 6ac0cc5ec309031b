import NIOCore
import NIOHTTP1

/// OpenAI and Azure OpenAI serve the Responses API themselves: `/v1/responses` requests are passed through.
extension OpenAIProvider: ResponsesPassthrough {
    func createResponse(_ body: ByteBuffer, requestedModel: String, model: String) async throws(GatewayError) -> ProviderReply {
        let outbound = try mapping.request(operation: .responses, body: body, requestedModel: requestedModel, model: model, stream: false)
        let answer = try await send(outbound).successBody()
        let wire = try WireJSON.decode(ResponsesAnswerWire.self, from: answer, expected: "a Responses API response")
        return ProviderReply(body: answer, summary: wire.summary, format: .responses)
    }

    func createResponseStream(_ body: ByteBuffer, requestedModel: String, model: String) async throws(GatewayError) -> ProviderStream {
        let outbound = try mapping.request(operation: .responses, body: body, requestedModel: requestedModel, model: model, stream: true)
        let events = try await send(outbound).successStream()
        let summary = StreamSummary()
        return ProviderStream(events: UpstreamBody(CheckedResponsesStream(base: events, summary: summary)), summary: summary, format: .responses)
    }

    func storedResponse(id: String, method: HTTPMethod) async throws(GatewayError) -> (status: Int, body: ByteBuffer) {
        let response = try await send(mapping.storedResponse(id: id, method: method))
        return (response.status, try await response.body.collected())
    }
}
