import Foundation
import NIOCore
import NIOFoundationCompat
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
        guard let object = try? JSONSerialization.jsonObject(with: Data(openAI.readableBytesView)) as? [String: Any] else {
            throw GatewayError.invalidRequest(message: "The request body must be a JSON object.")
        }
        var contents: [[String: Any]] = []
        var system: [String] = []
        var callNames: [String: String] = [:]
        for message in object["messages"] as? [[String: Any]] ?? [] {
            switch message["role"] as? String ?? "user" {
            case "system", "developer":
                system.append(text(of: message["content"]))
            case "assistant":
                var parts = self.parts(message["content"])
                for call in message["tool_calls"] as? [[String: Any]] ?? [] {
                    let function = call["function"] as? [String: Any] ?? [:]
                    let name = function["name"] as? String ?? ""
                    callNames[call["id"] as? String ?? ""] = name
                    let arguments = (function["arguments"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
                    parts.append(["functionCall": ["name": name, "args": arguments ?? [String: Any]()]])
                }
                append(&contents, role: "model", parts: parts)
            case "tool":
                let name = callNames[message["tool_call_id"] as? String ?? ""] ?? "tool"
                let response: [String: Any] = ["name": name, "response": ["content": text(of: message["content"])]]
                append(&contents, role: "user", parts: [["functionResponse": response]])
            default:
                append(&contents, role: "user", parts: parts(message["content"]))
            }
        }
        var body: [String: Any] = ["contents": contents]
        if !system.isEmpty { body["systemInstruction"] = ["parts": [["text": system.joined(separator: "\n\n")]]] }
        var generation: [String: Any] = [:]
        if let max = object["max_completion_tokens"] ?? object["max_tokens"] { generation["maxOutputTokens"] = max }
        if let temperature = object["temperature"] { generation["temperature"] = temperature }
        if let topP = object["top_p"] { generation["topP"] = topP }
        if let n = object["n"] { generation["candidateCount"] = n }
        if let stop = object["stop"] as? String { generation["stopSequences"] = [stop] }
        if let stops = object["stop"] as? [String] { generation["stopSequences"] = stops }
        if let format = object["response_format"] as? [String: Any], format["type"] as? String != "text" {
            generation["responseMimeType"] = "application/json"
        }
        if !generation.isEmpty { body["generationConfig"] = generation }
        if let tools = object["tools"] as? [[String: Any]] {
            let declarations = tools.compactMap { $0["function"] as? [String: Any] }
            body["tools"] = [["functionDeclarations": declarations]]
        }
        if let choice = object["tool_choice"] {
            var config: [String: Any] = [:]
            switch choice {
            case let mode as String: config["mode"] = mode == "required" ? "ANY" : mode == "none" ? "NONE" : "AUTO"
            case let named as [String: Any]:
                config["mode"] = "ANY"
                config["allowedFunctionNames"] = [(named["function"] as? [String: Any])?["name"] as? String ?? ""]
            default: break
            }
            body["toolConfig"] = ["functionCallingConfig": config]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: body) else {
            throw GatewayError.invalidRequest(message: "The request could not be translated for Gemini.")
        }
        return ByteBuffer(data: data)
    }

    /// Consecutive turns of one role merge: Gemini wants user and model turns to alternate.
    private static func append(_ contents: inout [[String: Any]], role: String, parts: [[String: Any]]) {
        if let last = contents.last, last["role"] as? String == role, let previous = last["parts"] as? [[String: Any]] {
            contents[contents.count - 1]["parts"] = previous + parts
        } else {
            contents.append(["role": role, "parts": parts])
        }
    }

    private static func text(of content: Any?) -> String {
        if let text = content as? String { return text }
        return (content as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }.joined()
    }

    private static func parts(_ content: Any?) -> [[String: Any]] {
        if let text = content as? String { return text.isEmpty ? [] : [["text": text]] }
        return (content as? [[String: Any]] ?? []).compactMap { part in
            switch part["type"] as? String {
            case "text": return ["text": part["text"] as? String ?? ""]
            case "image_url":
                let url = (part["image_url"] as? [String: Any])?["url"] as? String ?? ""
                guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), let semicolon = url.firstIndex(of: ";") else {
                    return ["fileData": ["fileUri": url]]
                }
                let mime = String(url[url.index(url.startIndex, offsetBy: 5)..<semicolon])
                return ["inlineData": ["mimeType": mime, "data": String(url[url.index(after: comma)...])]]
            default: return nil
            }
        }
    }
}
