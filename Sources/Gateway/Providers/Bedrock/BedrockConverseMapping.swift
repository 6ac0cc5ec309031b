import Foundation
import NIOCore
import NIOFoundationCompat

/// Bedrock's Converse API on both sides: requests built from the Anthropic-shaped translation of the OpenAI
/// request (Converse's content blocks are Anthropic's in other words), answers mapped back to OpenAI's shape.
enum BedrockConverseMapping {
    static func body(from openAI: ByteBuffer, model: String) throws(GatewayError) -> ByteBuffer {
        let anthropic = try AnthropicRequestMapping.body(from: openAI, model: model, stream: false)
        guard let source = try? JSONSerialization.jsonObject(with: Data(anthropic.readableBytesView)) as? [String: Any] else {
            throw GatewayError.invalidRequest(message: "The request could not be translated for Bedrock.")
        }
        var body: [String: Any] = [:]
        body["messages"] = (source["messages"] as? [[String: Any]] ?? []).map { message in
            ["role": message["role"] ?? "user", "content": (message["content"] as? [[String: Any]] ?? []).compactMap(block)] as [String: Any]
        }
        if let system = source["system"] as? String { body["system"] = [["text": system]] }
        var inference: [String: Any] = ["maxTokens": source["max_tokens"] ?? AnthropicRequestMapping.defaultMaxTokens]
        if let temperature = source["temperature"] { inference["temperature"] = temperature }
        if let topP = source["top_p"] { inference["topP"] = topP }
        if let stops = source["stop_sequences"] { inference["stopSequences"] = stops }
        body["inferenceConfig"] = inference
        let choice = source["tool_choice"] as? [String: Any]
        if let tools = source["tools"] as? [[String: Any]], choice?["type"] as? String != "none" {
            var config: [String: Any] = [
                "tools": tools.map { tool in
                    [
                        "toolSpec": [
                            "name": tool["name"] ?? "", "description": tool["description"] ?? "",
                            "inputSchema": ["json": tool["input_schema"] ?? [:]],
                        ]
                    ]
                }
            ]
            switch choice?["type"] as? String {
            case "any": config["toolChoice"] = ["any": [String: Any]()]
            case "tool": config["toolChoice"] = ["tool": ["name": choice?["name"] ?? ""]]
            default: config["toolChoice"] = ["auto": [String: Any]()]
            }
            body["toolConfig"] = config
        }
        guard let data = try? JSONSerialization.data(withJSONObject: body) else {
            throw GatewayError.invalidRequest(message: "The request could not be translated for Bedrock.")
        }
        return ByteBuffer(data: data)
    }

    /// One Anthropic content block as a Converse content block.
    private static func block(_ block: [String: Any]) -> [String: Any]? {
        switch block["type"] as? String {
        case "text": return ["text": block["text"] ?? ""]
        case "image":
            let source = block["source"] as? [String: Any] ?? [:]
            guard source["type"] as? String == "base64" else { return nil }
            let format = (source["media_type"] as? String)?.split(separator: "/").last.map(String.init) ?? "png"
            return ["image": ["format": format, "source": ["bytes": source["data"] ?? ""]]]
        case "tool_use": return ["toolUse": ["toolUseId": block["id"] ?? "", "name": block["name"] ?? "", "input": block["input"] ?? [:]]]
        case "tool_result":
            return ["toolResult": ["toolUseId": block["tool_use_id"] ?? "", "content": [["text": block["content"] as? String ?? ""]]]]
        default: return nil
        }
    }

    static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case nil: nil
        case "max_tokens": "length"
        case "tool_use": "tool_calls"
        case "content_filtered", "guardrail_intervened": "content_filter"
        default: "stop"
        }
    }

    static func reply(from response: UpstreamResponse, model: String) async throws(GatewayError) -> ProviderReply {
        let body = try await OpenAIResponseMapping.collect(response.body)
        guard (200..<300).contains(response.status) else {
            throw UpstreamErrors.from(status: response.status, body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        let converse = try WireJSON.decode(BedrockWire.ConverseResponse.self, from: body, expected: "a Converse response")
        let blocks = converse.output.message.content ?? []
        let text = blocks.compactMap(\.text).joined()
        let calls = blocks.compactMap(\.toolUse).map { use in
            OpenAIChat.ToolCall(id: use.toolUseId, name: use.name, arguments: (use.input ?? .object([:])).jsonText)
        }
        let usage = TokenUsage(promptTokens: converse.usage?.inputTokens ?? 0, completionTokens: converse.usage?.outputTokens ?? 0)
        let finish = finishReason(converse.stopReason) ?? "stop"
        let id = "chatcmpl-bedrock-\(UInt64.random(in: 0...UInt64.max))"
        return OpenAIChat.reply(id: id, model: model, text: text, toolCalls: calls, finishReason: finish, usage: usage)
    }
}
