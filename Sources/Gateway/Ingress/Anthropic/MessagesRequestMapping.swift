import NIOCore

/// `POST /v1/messages` bodies (Anthropic's format) as OpenAI chat bodies, so any provider can serve them:
/// `system` becomes a system message, content blocks become text and image parts, `tool_use` blocks become
/// `tool_calls`, `tool_result` blocks become `tool` messages, tools and `tool_choice` map across, and a
/// streamed request asks for the usage chunk (Anthropic reports usage at the end of every stream).
/// Anthropic's own ranges are checked here (temperature 0–1); `max_tokens` against the gateway's ceiling
/// is checked with the chat body.
enum MessagesRequestMapping {
    typealias Wire = MessagesRequestWire

    static func openAIBody(from anthropic: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        let request = try RequestDecoding.decode(Wire.Request.self, from: anthropic)
        guard let maxTokens = request.maxTokens?.value else {
            throw GatewayError.invalidRequest(message: "max_tokens: Field required", param: "max_tokens")
        }
        guard let messages = request.messages else {
            throw GatewayError.invalidRequest(message: "messages: Field required", param: "messages")
        }
        try RequestLimits.check(request.temperature, in: 0...1, param: "temperature")
        try RequestLimits.check(request.topP, in: 0...1, param: "top_p")
        try RequestLimits.check(request.topK?.value, in: 0...Int(Int32.max), param: "top_k")
        var chat: [Wire.ChatMessage] = []
        if let system = request.system { chat.append(Wire.ChatMessage(role: "system", content: .string(system.text))) }
        for message in messages { append(message, to: &chat) }
        let body = Wire.ChatBody(
            model: request.model ?? "",
            messages: chat,
            max_tokens: maxTokens,
            temperature: request.temperature,
            top_p: request.topP,
            stop: request.stopSequences,
            stream: request.stream == true ? true : nil,
            stream_options: request.stream == true ? .init() : nil,
            tools: request.tools?.map { tool in
                Wire.ChatTool(
                    function: .init(name: tool.name, description: tool.description ?? "", parameters: tool.inputSchema ?? .object([:]))
                )
            },
            tool_choice: request.toolChoice.map(toolChoice)
        )
        return WireJSON.encode(body)
    }

    /// One Anthropic message as OpenAI messages: tool results become `tool` messages of their own.
    private static func append(_ message: Wire.Message, to chat: inout [Wire.ChatMessage]) {
        guard case .blocks(let blocks) = message.content else {
            if case .text(let text) = message.content { chat.append(Wire.ChatMessage(role: message.role, content: .string(text))) }
            return
        }
        var parts: [JSONValue] = []
        var texts: [String] = []
        var calls: [OpenAIChatWire.ToolCall] = []
        for block in blocks {
            switch block.type {
            case "text":
                texts.append(block.text ?? "")
                parts.append(.object(["type": .string("text"), "text": .string(block.text ?? "")]))
            case "image":
                parts.append(.object(["type": .string("image_url"), "image_url": .object(["url": .string(imageURL(block.source))])]))
            case "tool_use":
                let arguments = (block.input ?? .object([:])).jsonText
                calls.append(OpenAIChatWire.ToolCall(id: block.id ?? "", function: .init(name: block.name ?? "", arguments: arguments)))
            case "tool_result":
                chat.append(Wire.ChatMessage(role: "tool", content: .string(resultText(block.content)), toolCallID: block.toolUseID ?? ""))
            default:
                break
            }
        }
        if parts.isEmpty && calls.isEmpty { return }
        let content: JSONValue = parts.isEmpty ? .null : texts.count == parts.count ? .string(texts.joined()) : .array(parts)
        chat.append(Wire.ChatMessage(role: message.role, content: content, toolCalls: calls.isEmpty ? nil : calls))
    }

    private static func imageURL(_ source: Wire.ImageSource?) -> String {
        guard let source else { return "" }
        if source.type == "base64" { return "data:\(source.mediaType ?? "image/png");base64,\(source.data ?? "")" }
        return source.url ?? ""
    }

    private static func resultText(_ content: Wire.Content?) -> String {
        switch content {
        case .text(let text): text
        case .blocks(let blocks): blocks.compactMap(\.text).joined()
        case nil: ""
        }
    }

    private static func toolChoice(_ choice: Wire.ToolChoice) -> JSONValue {
        switch choice.type {
        case "any": .string("required")
        case "none": .string("none")
        case "tool": .object(["type": .string("function"), "function": .object(["name": .string(choice.name ?? "")])])
        default: .string("auto")
        }
    }
}
