import NIOCore

/// Bedrock's Converse API on both sides: requests built from the Anthropic-shaped translation of the OpenAI
/// request (Converse's content blocks are Anthropic's in other words), answers mapped back to OpenAI's shape.
enum BedrockConverseMapping {
    static func body(from openAI: ByteBuffer, model: String) throws(GatewayError) -> ByteBuffer {
        let chat = try RequestDecoding.decode(ChatRequestWire.Request.self, from: openAI)
        return WireJSON.encode(request(from: AnthropicRequestMapping.request(from: chat, model: model, stream: false)))
    }

    /// The Converse request for the Anthropic-shaped translation of a chat request.
    static func request(from source: AnthropicRequestWire.Request) -> BedrockRequestWire.Request {
        typealias Wire = BedrockRequestWire
        var toolConfig: Wire.ToolConfig?
        if let tools = source.tools, source.toolChoice?.type != "none" {
            let choice: Wire.ToolChoice
            switch source.toolChoice?.type {
            case "any": choice = Wire.ToolChoice(any: .init())
            case "tool": choice = Wire.ToolChoice(tool: .init(name: source.toolChoice?.name ?? ""))
            default: choice = Wire.ToolChoice(auto: .init())
            }
            toolConfig = Wire.ToolConfig(
                tools: tools.map { tool in
                    let schema = Wire.Tool.Spec.Schema(json: tool.inputSchema ?? .object([:]))
                    return Wire.Tool(toolSpec: .init(name: tool.name, description: tool.description ?? "", inputSchema: schema))
                },
                toolChoice: choice
            )
        }
        return Wire.Request(
            messages: source.messages.map { Wire.Message(role: $0.role, content: $0.content.blocks.compactMap(block)) },
            system: source.system.map { [Wire.SystemBlock(text: $0.text(separator: "\n\n"))] },
            inferenceConfig: .init(
                maxTokens: source.maxTokens?.value ?? AnthropicRequestMapping.defaultMaxTokens,
                temperature: source.temperature,
                topP: source.topP,
                stopSequences: source.stopSequences
            ),
            toolConfig: toolConfig
        )
    }

    /// One Anthropic content block as a Converse content block (Converse takes base64 images only).
    private static func block(_ block: AnthropicRequestWire.Block) -> BedrockRequestWire.ContentBlock? {
        switch block.type {
        case "text": return .init(text: block.text ?? "")
        case "image":
            guard let source = block.source, source.type == "base64" else { return nil }
            let format = source.mediaType?.split(separator: "/").last.map(String.init) ?? "png"
            return .init(image: .init(format: format, source: .init(bytes: source.data ?? "")))
        case "tool_use":
            return .init(toolUse: .init(toolUseId: block.id ?? "", name: block.name ?? "", input: block.input ?? .object([:])))
        case "tool_result":
            return .init(toolResult: .init(toolUseId: block.toolUseID ?? "", content: [.init(text: block.content?.text(separator: "") ?? "")]))
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
        let body = try await response.successBody()
        let converse = try WireJSON.decode(BedrockWire.ConverseResponse.self, from: body, expected: "a Converse response")
        let blocks = converse.output.message.content ?? []
        let text = blocks.compactMap(\.text).joined()
        let calls = blocks.compactMap(\.toolUse).map { use in
            OpenAIChat.ToolCall(id: use.toolUseId, name: use.name, arguments: (use.input ?? .object([:])).jsonText)
        }
        let usage = converse.usage?.tokenUsage ?? TokenUsage(promptTokens: 0, completionTokens: 0)
        let finish = finishReason(converse.stopReason) ?? "stop"
        let id = "chatcmpl-bedrock-\(UInt64.random(in: 0...UInt64.max))"
        return OpenAIChat.reply(id: id, model: model, text: text, toolCalls: calls, finishReason: finish, usage: usage)
    }
}
