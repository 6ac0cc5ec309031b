import NIOCore
import NIOHTTP1

/// Builds Anthropic Messages API requests from OpenAI chat requests: system messages lifted into `system`,
/// text and image parts as content blocks, assistant `tool_calls` as `tool_use` blocks, `tool` messages as
/// `tool_result` blocks, tools and `tool_choice`, sampling parameters, and `max_tokens` (required by Anthropic).
struct AnthropicRequestMapping: Sendable {
    /// The API version sent when the provider's `api_version` is not set (the guide's).
    static let defaultVersion = "2023-06-01"
    /// `max_tokens` when the client sets none: Anthropic requires one.
    static let defaultMaxTokens = 4096

    let baseURL: String
    let apiKey: String?
    let version: String
    let timeouts: UpstreamTimeouts

    init(baseURL: String?, apiKey: String?, version: String?, timeouts: UpstreamTimeouts) {
        var base = baseURL ?? "https://api.anthropic.com"
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        self.baseURL = base
        self.apiKey = apiKey
        self.version = version ?? Self.defaultVersion
        self.timeouts = timeouts
    }

    func headers(stream: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: stream ? "text/event-stream" : "application/json")
        headers.add(name: "anthropic-version", value: version)
        if let apiKey, !apiKey.isEmpty { headers.add(name: "x-api-key", value: apiKey) }
        if let trace = UpstreamTrace.context { headers.add(name: "traceparent", value: trace.traceparent) }
        return headers
    }

    func request(_ chat: ChatCompletionRequest, model: String, stream: Bool) throws(GatewayError) -> UpstreamRequest {
        let body = try Self.body(from: chat.body, model: model, stream: stream)
        return UpstreamRequest(
            url: "\(baseURL)/v1/messages",
            headers: headers(stream: stream),
            body: body,
            timeout: timeouts.firstByte,
            totalTimeout: timeouts.total
        )
    }

    func probe(timeout: Duration) -> UpstreamRequest {
        UpstreamRequest(url: "\(baseURL)/v1/models", method: .GET, headers: headers(stream: false), body: ByteBuffer(), timeout: timeout)
    }

    /// The Messages request body for an OpenAI chat body.
    static func body(from openAI: ByteBuffer, model: String, stream: Bool) throws(GatewayError) -> ByteBuffer {
        WireJSON.encode(try request(from: RequestDecoding.decode(ChatRequestWire.Request.self, from: openAI), model: model, stream: stream))
    }

    /// The Messages request for an OpenAI chat request.
    static func request(from chat: ChatRequestWire.Request, model: String, stream: Bool) -> AnthropicRequestWire.Request {
        typealias Wire = AnthropicRequestWire
        var messages: [Wire.Message] = []
        var system: [String] = []
        for message in chat.messages {
            switch message.role {
            case "system", "developer":
                system.append(message.text)
            case "tool":
                append(&messages, role: "user", blocks: [.toolResult(id: message.toolCallID ?? "", content: message.text)])
            case "assistant":
                var blocks = contentBlocks(message.content)
                for call in message.toolCalls ?? [] {
                    blocks.append(.toolUse(id: call.id ?? "", name: call.function?.name ?? "", input: call.input))
                }
                append(&messages, role: "assistant", blocks: blocks)
            default:
                append(&messages, role: "user", blocks: contentBlocks(message.content))
            }
        }
        return Wire.Request(
            model: model,
            messages: messages,
            maxTokens: IntegerParameter(chat.outputLimit ?? defaultMaxTokens),
            stream: stream ? true : nil,
            system: system.isEmpty ? nil : .text(system.joined(separator: "\n\n")),
            temperature: chat.temperature,
            topP: chat.topP,
            topK: chat.topK,
            stopSequences: chat.stop?.sequences,
            tools: chat.tools?.compactMap { tool in
                tool.function.map { function in
                    Wire.Tool(
                        name: function.name,
                        description: function.description,
                        inputSchema: function.parameters ?? .object(["type": .string("object"), "properties": .object([:])])
                    )
                }
            },
            toolChoice: chat.toolChoice.flatMap(toolChoice),
            metadata: chat.user.map { Wire.Metadata(userID: $0) }
        )
    }

    /// Consecutive messages of one role merge: Anthropic wants user and assistant turns to alternate.
    private static func append(_ messages: inout [AnthropicRequestWire.Message], role: String, blocks: [AnthropicRequestWire.Block]) {
        if let last = messages.last, last.role == role {
            messages[messages.count - 1].content = .blocks(last.content.blocks + blocks)
        } else {
            messages.append(AnthropicRequestWire.Message(role: role, content: .blocks(blocks)))
        }
    }

    /// OpenAI content (a string, or text and image_url parts) as Anthropic content blocks.
    private static func contentBlocks(_ content: ChatRequestWire.Content?) -> [AnthropicRequestWire.Block] {
        switch content {
        case .text(let text): return text.isEmpty ? [] : [.text(text)]
        case .list(let parts):
            return parts.compactMap { part in
                switch part.type {
                case "text": return .text(part.text ?? "")
                case "image_url": return .image(imageSource(part.imageURL?.url ?? ""))
                default: return nil
                }
            }
        case nil: return []
        }
    }

    /// `data:image/png;base64,…` becomes a base64 source, anything else a URL source.
    private static func imageSource(_ url: String) -> AnthropicRequestWire.ImageSource {
        guard let inline = ChatRequestWire.inlineImage(url) else { return .init(type: "url", url: url) }
        return .init(type: "base64", mediaType: inline.mediaType, data: inline.data)
    }

    private static func toolChoice(_ choice: ChatRequestWire.ToolChoice) -> AnthropicRequestWire.ToolChoice? {
        switch choice {
        case .mode("auto"): .init(type: "auto")
        case .mode("required"): .init(type: "any")
        case .mode("none"): .init(type: "none")
        case .mode: nil
        case .function(let name): .init(type: "tool", name: name)
        }
    }
}
