import NIOCore

/// Reads answers of OpenAI-compatible servers: successful bodies pass through as bytes with their summary
/// read; other statuses become errors through ``UpstreamResponse/successBody()``.
enum OpenAIResponseMapping {
    static func reply(from response: UpstreamResponse) async throws(GatewayError) -> ProviderReply {
        let body = try await response.successBody()
        return ProviderReply(body: body, summary: try ResponseSummary.scan(body, expected: "a chat.completion"))
    }
}
