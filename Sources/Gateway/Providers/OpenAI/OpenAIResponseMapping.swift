import NIOCore

/// Reads answers of OpenAI-compatible servers: successful bodies pass through as bytes with their summary
/// read; other statuses become errors through ``UpstreamResponse/successBody()``.
enum OpenAIResponseMapping {
    static func reply(from response: UpstreamResponse) async throws(GatewayError) -> ProviderReply {
        let body = try await response.successBody()
        guard isJSONObject(body) else { throw GatewayError.invalidUpstreamResponse("expected a JSON object") }
        let summary = try WireJSON.decode(ResponseSummary.self, from: body, expected: "a chat.completion")
        return ProviderReply(body: body, summary: summary)
    }

    private static func isJSONObject(_ body: ByteBuffer) -> Bool {
        body.readableBytesView.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) == UInt8(ascii: "{")
    }
}
