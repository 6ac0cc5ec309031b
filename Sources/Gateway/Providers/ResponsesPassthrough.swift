import NIOCore
import NIOHTTP1

/// A provider that serves OpenAI's Responses API itself (OpenAI, Azure OpenAI): a `/v1/responses` request
/// routed to it is sent as the client sent it — fields the gateway does not model, built-in tools and
/// provider-side state included — and its answer comes back untranslated. Every other provider gets the
/// request translated to chat.
protocol ResponsesPassthrough: ChatProvider {
    /// `body` (a Responses API request for `requestedModel`) with `model` as the deployment's model.
    func createResponse(_ body: ByteBuffer, requestedModel: String, model: String) async throws(GatewayError) -> ProviderReply
    /// The same, streamed: the provider's events pass through as they arrive.
    func createResponseStream(_ body: ByteBuffer, requestedModel: String, model: String) async throws(GatewayError) -> ProviderStream
    /// `GET` or `DELETE` of a response the provider stores: its status and JSON body as they are.
    func storedResponse(id: String, method: HTTPMethod) async throws(GatewayError) -> (status: Int, body: ByteBuffer)
}
