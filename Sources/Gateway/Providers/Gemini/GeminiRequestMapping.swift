import NIOCore
import NIOHTTP1

/// Builds Gemini `generateContent` / `streamGenerateContent?alt=sse` requests from OpenAI chat requests:
/// system messages as `systemInstruction`, turns as `contents` (assistant → `model`), text and inline image
/// parts, tool calls as `functionCall` parts and tool results as `functionResponse` parts, tools as
/// `functionDeclarations`, `tool_choice` as `functionCallingConfig`, sampling in `generationConfig`.
struct GeminiRequestMapping: Sendable {
    static let defaultBaseURL = "https://generativelanguage.googleapis.com"

    let baseURL: String
    let apiKey: String?
    let timeouts: UpstreamTimeouts

    init(baseURL: String?, apiKey: String?, timeouts: UpstreamTimeouts) {
        var base = baseURL ?? Self.defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
        self.timeouts = timeouts
    }

    private func headers(stream: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: stream ? "text/event-stream" : "application/json")
        if let apiKey, !apiKey.isEmpty { headers.add(name: "x-goog-api-key", value: apiKey) }
        if let trace = UpstreamTrace.context { headers.add(name: "traceparent", value: trace.traceparent) }
        return headers
    }

    func request(_ chat: ChatCompletionRequest, model: String, stream: Bool) throws(GatewayError) -> UpstreamRequest {
        let path = stream ? "streamGenerateContent?alt=sse" : "generateContent"
        return UpstreamRequest(
            url: "\(baseURL)/v1beta/models/\(model.addingPercentEncodingForPath()):\(path)",
            headers: headers(stream: stream),
            body: try Self.body(from: chat.body),
            timeout: timeouts.firstByte,
            totalTimeout: timeouts.total
        )
    }

    func probe(timeout: Duration) -> UpstreamRequest {
        UpstreamRequest(url: "\(baseURL)/v1beta/models", method: .GET, headers: headers(stream: false), body: ByteBuffer(), timeout: timeout)
    }

    static func body(from openAI: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        WireJSON.encode(request(from: try RequestDecoding.decode(ChatRequestWire.Request.self, from: openAI)))
    }

    static func request(from chat: ChatRequestWire.Request) -> GeminiRequestWire.Request {
        typealias Wire = GeminiRequestWire
        var contents: [Wire.Content] = []
        var system: [String] = []
        var callNames: [String: String] = [:]
        for message in chat.messages {
            switch message.role {
            case "system", "developer":
                system.append(message.text)
            case "assistant":
                var parts = self.parts(message.content)
                for call in message.toolCalls ?? [] {
                    let name = call.function?.name ?? ""
                    callNames[call.id ?? ""] = name
                    parts.append(Wire.Part(functionCall: .init(name: name, args: call.input)))
                }
                append(&contents, role: "model", parts: parts)
            case "tool":
                let name = callNames[message.toolCallID ?? ""] ?? "tool"
                let response = Wire.Part.FunctionResponse(name: name, response: .object(["content": .string(message.text)]))
                append(&contents, role: "user", parts: [Wire.Part(functionResponse: response)])
            default:
                append(&contents, role: "user", parts: parts(message.content))
            }
        }
        let json = chat.responseFormat.map { $0.type != "text" } ?? false
        let generation = Wire.GenerationConfig(
            maxOutputTokens: chat.outputLimit,
            temperature: chat.temperature,
            topP: chat.topP,
            topK: chat.topK?.value,
            candidateCount: chat.n?.value,
            stopSequences: chat.stop?.sequences,
            responseMimeType: json ? "application/json" : nil
        )
        let declarations = chat.tools?.compactMap { tool in
            tool.function.map { Wire.FunctionDeclaration(name: $0.name, description: $0.description, parameters: $0.parameters) }
        }
        return Wire.Request(
            contents: contents,
            systemInstruction: system.isEmpty ? nil : Wire.Content(parts: [Wire.Part(text: system.joined(separator: "\n\n"))]),
            generationConfig: generation.isEmpty ? nil : generation,
            tools: declarations.map { [Wire.Tool(functionDeclarations: $0)] },
            toolConfig: chat.toolChoice.map { choice in
                switch choice {
                case .mode(let mode):
                    Wire.ToolConfig(functionCallingConfig: .init(mode: mode == "required" ? "ANY" : mode == "none" ? "NONE" : "AUTO"))
                case .function(let name):
                    Wire.ToolConfig(functionCallingConfig: .init(mode: "ANY", allowedFunctionNames: [name]))
                }
            }
        )
    }

    /// Consecutive turns of one role merge: Gemini wants user and model turns to alternate.
    private static func append(_ contents: inout [GeminiRequestWire.Content], role: String, parts: [GeminiRequestWire.Part]) {
        if let last = contents.last, last.role == role {
            contents[contents.count - 1].parts += parts
        } else {
            contents.append(GeminiRequestWire.Content(role: role, parts: parts))
        }
    }

    private static func parts(_ content: ChatRequestWire.Content?) -> [GeminiRequestWire.Part] {
        switch content {
        case .text(let text): return text.isEmpty ? [] : [GeminiRequestWire.Part(text: text)]
        case .list(let parts):
            return parts.compactMap { part in
                switch part.type {
                case "text": return GeminiRequestWire.Part(text: part.text ?? "")
                case "image_url":
                    let url = part.imageURL?.url ?? ""
                    guard let inline = ChatRequestWire.inlineImage(url) else { return GeminiRequestWire.Part(fileData: .init(fileUri: url)) }
                    return GeminiRequestWire.Part(inlineData: .init(mimeType: inline.mediaType, data: inline.data))
                default: return nil
                }
            }
        case nil: return []
        }
    }
}
