import Foundation
import NIOCore
import NIOFoundationCompat
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
        guard let object = try? JSONSerialization.jsonObject(with: Data(openAI.readableBytesView)) as? [String: Any] else {
            throw GatewayError.invalidRequest(message: "The request body must be a JSON object.")
        }
        var messages: [[String: Any]] = []
        var system: [String] = []
        for message in object["messages"] as? [[String: Any]] ?? [] {
            let role = message["role"] as? String ?? "user"
            switch role {
            case "system", "developer":
                system.append(text(of: message["content"]))
            case "tool":
                let result: [String: Any] = [
                    "type": "tool_result", "tool_use_id": message["tool_call_id"] as? String ?? "", "content": text(of: message["content"]),
                ]
                append(&messages, role: "user", blocks: [result])
            case "assistant":
                var blocks = contentBlocks(message["content"])
                for call in message["tool_calls"] as? [[String: Any]] ?? [] {
                    let function = call["function"] as? [String: Any] ?? [:]
                    let arguments = (function["arguments"] as? String).flatMap { $0.data(using: .utf8) }
                    let input = arguments.flatMap { try? JSONSerialization.jsonObject(with: $0) } ?? [String: Any]()
                    blocks.append(["type": "tool_use", "id": call["id"] as? String ?? "", "name": function["name"] as? String ?? "", "input": input])
                }
                append(&messages, role: "assistant", blocks: blocks)
            default:
                append(&messages, role: "user", blocks: contentBlocks(message["content"]))
            }
        }
        var body: [String: Any] = [
            "model": model,
            "messages": messages,
            "max_tokens": object["max_completion_tokens"] ?? object["max_tokens"] ?? defaultMaxTokens,
        ]
        if stream { body["stream"] = true }
        if !system.isEmpty { body["system"] = system.joined(separator: "\n\n") }
        for key in ["temperature", "top_p", "top_k"] where object[key] != nil { body[key] = object[key] }
        if let stop = object["stop"] as? String { body["stop_sequences"] = [stop] }
        if let stops = object["stop"] as? [String] { body["stop_sequences"] = stops }
        if let tools = object["tools"] as? [[String: Any]] {
            body["tools"] = tools.compactMap { tool -> [String: Any]? in
                guard let function = tool["function"] as? [String: Any], let name = function["name"] as? String else { return nil }
                var mapped: [String: Any] = ["name": name, "input_schema": function["parameters"] ?? ["type": "object", "properties": [:]]]
                if let description = function["description"] { mapped["description"] = description }
                return mapped
            }
        }
        if let choice = toolChoice(object["tool_choice"]) { body["tool_choice"] = choice }
        if let user = object["user"] as? String { body["metadata"] = ["user_id": user] }
        guard let data = try? JSONSerialization.data(withJSONObject: body) else {
            throw GatewayError.invalidRequest(message: "The request could not be translated for Anthropic.")
        }
        return ByteBuffer(data: data)
    }

    /// Consecutive messages of one role merge: Anthropic wants user and assistant turns to alternate.
    private static func append(_ messages: inout [[String: Any]], role: String, blocks: [[String: Any]]) {
        if let last = messages.last, last["role"] as? String == role, var content = last["content"] as? [[String: Any]] {
            content += blocks
            messages[messages.count - 1]["content"] = content
        } else {
            messages.append(["role": role, "content": blocks])
        }
    }

    private static func text(of content: Any?) -> String {
        if let text = content as? String { return text }
        let parts = content as? [[String: Any]] ?? []
        return parts.compactMap { $0["text"] as? String }.joined()
    }

    /// OpenAI content (a string, or text and image_url parts) as Anthropic content blocks.
    private static func contentBlocks(_ content: Any?) -> [[String: Any]] {
        if let text = content as? String { return text.isEmpty ? [] : [["type": "text", "text": text]] }
        return (content as? [[String: Any]] ?? []).compactMap { part in
            switch part["type"] as? String {
            case "text": return ["type": "text", "text": part["text"] as? String ?? ""]
            case "image_url":
                let url = (part["image_url"] as? [String: Any])?["url"] as? String ?? ""
                return ["type": "image", "source": imageSource(url)]
            default: return nil
            }
        }
    }

    /// `data:image/png;base64,…` becomes a base64 source, anything else a URL source.
    private static func imageSource(_ url: String) -> [String: Any] {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), let semicolon = url.firstIndex(of: ";") else {
            return ["type": "url", "url": url]
        }
        let mediaType = String(url[url.index(url.startIndex, offsetBy: 5)..<semicolon])
        return ["type": "base64", "media_type": mediaType, "data": String(url[url.index(after: comma)...])]
    }

    private static func toolChoice(_ choice: Any?) -> [String: Any]? {
        if let mode = choice as? String {
            switch mode {
            case "auto": return ["type": "auto"]
            case "required": return ["type": "any"]
            case "none": return ["type": "none"]
            default: return nil
            }
        }
        if let object = choice as? [String: Any], let function = object["function"] as? [String: Any], let name = function["name"] as? String {
            return ["type": "tool", "name": name]
        }
        return nil
    }
}
