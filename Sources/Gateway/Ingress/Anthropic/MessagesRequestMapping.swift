import NIOCore

/// `POST /v1/messages` bodies (Anthropic's format) as OpenAI chat bodies, so any provider can serve them:
/// `system` becomes a system message, content blocks become text and image parts, `tool_use` blocks become
/// `tool_calls`, `tool_result` blocks become `tool` messages, tools and `tool_choice` map across, and a
/// streamed request asks for the usage chunk (Anthropic reports usage at the end of every stream).
/// Anthropic's own ranges are checked here (temperature 0–1); `max_tokens` against the gateway's ceiling
/// is checked with the chat body.
enum MessagesRequestMapping {
    static func openAIBody(from anthropic: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        let request = try RequestDecoding.decode(AnthropicRequestWire.Request.self, from: anthropic)
        guard let maxTokens = request.maxTokens else {
            throw GatewayError.invalidRequest(message: "max_tokens: Field required", param: "max_tokens")
        }
        try RequestLimits.check(request.temperature, in: 0...1, param: "temperature")
        try RequestLimits.check(request.topP, in: 0...1, param: "top_p")
        try RequestLimits.check(request.topK?.value, in: 0...Int(Int32.max), param: "top_k")
        var messages: [ChatRequestWire.Message] = []
        if let system = request.system { messages.append(.init(role: "system", content: .text(system.text(separator: "\n")))) }
        for message in request.messages { append(message, to: &messages) }
        let stream = request.stream == true
        let chat = ChatRequestWire.Request(
            model: request.model ?? "",
            messages: messages,
            maxTokens: maxTokens,
            temperature: request.temperature,
            topP: request.topP,
            stop: request.stopSequences.map(ChatRequestWire.Stop.init),
            stream: stream ? true : nil,
            streamOptions: stream ? .init(includeUsage: true) : nil,
            tools: request.tools?.map { tool in
                ChatRequestWire.Tool(
                    type: "function",
                    function: .init(name: tool.name, description: tool.description ?? "", parameters: tool.inputSchema ?? .object([:]))
                )
            },
            toolChoice: request.toolChoice.map(toolChoice)
        )
        return WireJSON.encode(chat)
    }

    /// One Anthropic message as OpenAI messages: tool results become `tool` messages of their own.
    private static func append(_ message: AnthropicRequestWire.Message, to chat: inout [ChatRequestWire.Message]) {
        guard case .blocks(let blocks) = message.content else {
            chat.append(.init(role: message.role, content: .text(message.content.text(separator: ""))))
            return
        }
        var parts: [ChatRequestWire.Part] = []
        var calls: [ChatRequestWire.ToolCall] = []
        for block in blocks {
            switch block.type {
            case "text":
                parts.append(.text(block.text ?? ""))
            case "image":
                parts.append(.image(url: imageURL(block.source)))
            case "tool_use":
                let arguments = (block.input ?? .object([:])).jsonText
                calls.append(.init(id: block.id ?? "", type: "function", function: .init(name: block.name ?? "", arguments: arguments)))
            case "tool_result":
                chat.append(.init(role: "tool", content: .text(block.content?.text(separator: "") ?? ""), toolCallID: block.toolUseID ?? ""))
            default:
                break
            }
        }
        if parts.isEmpty && calls.isEmpty { return }
        let textOnly = parts.allSatisfy { $0.type == "text" }
        let content: ChatRequestWire.Content? =
            parts.isEmpty ? nil : textOnly ? .text(parts.compactMap(\.text).joined()) : .list(parts)
        chat.append(.init(role: message.role, content: content, toolCalls: calls.isEmpty ? nil : calls))
    }

    private static func imageURL(_ source: AnthropicRequestWire.ImageSource?) -> String {
        guard let source else { return "" }
        if source.type == "base64" { return "data:\(source.mediaType ?? "image/png");base64,\(source.data ?? "")" }
        return source.url ?? ""
    }

    private static func toolChoice(_ choice: AnthropicRequestWire.ToolChoice) -> ChatRequestWire.ToolChoice {
        switch choice.type {
        case "any": .mode("required")
        case "none": .mode("none")
        case "tool": .function(choice.name ?? "")
        default: .mode("auto")
        }
    }
}
