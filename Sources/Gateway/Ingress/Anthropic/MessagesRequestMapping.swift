import Foundation
import NIOCore
import NIOFoundationCompat

/// `POST /v1/messages` bodies (Anthropic's format) as OpenAI chat bodies, so any provider can serve them:
/// `system` becomes a system message, content blocks become text and image parts, `tool_use` blocks become
/// `tool_calls`, `tool_result` blocks become `tool` messages, tools and `tool_choice` map across, and a
/// streamed request asks for the usage chunk (Anthropic reports usage at the end of every stream).
enum MessagesRequestMapping {
    static func openAIBody(from anthropic: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        guard let object = try? JSONSerialization.jsonObject(with: Data(anthropic.readableBytesView)) as? [String: Any] else {
            throw GatewayError.invalidRequest(message: "The request body must be a JSON object.")
        }
        guard object["max_tokens"] is Int else {
            throw GatewayError.invalidRequest(message: "max_tokens: Field required", param: "max_tokens")
        }
        var messages: [[String: Any]] = []
        if let system = object["system"] as? String {
            messages.append(["role": "system", "content": system])
        } else if let blocks = object["system"] as? [[String: Any]] {
            messages.append(["role": "system", "content": blocks.compactMap { $0["text"] as? String }.joined(separator: "\n")])
        }
        for message in object["messages"] as? [[String: Any]] ?? [] {
            let role = message["role"] as? String ?? "user"
            guard let blocks = message["content"] as? [[String: Any]] else {
                messages.append(["role": role, "content": message["content"] as? String ?? ""])
                continue
            }
            var parts: [[String: Any]] = []
            var calls: [[String: Any]] = []
            for block in blocks {
                switch block["type"] as? String {
                case "text":
                    parts.append(["type": "text", "text": block["text"] as? String ?? ""])
                case "image":
                    let source = block["source"] as? [String: Any] ?? [:]
                    let url =
                        source["type"] as? String == "base64"
                        ? "data:\(source["media_type"] as? String ?? "image/png");base64,\(source["data"] as? String ?? "")"
                        : source["url"] as? String ?? ""
                    parts.append(["type": "image_url", "image_url": ["url": url]])
                case "tool_use":
                    let arguments = AnthropicResponseMapping.jsonText(block["input"])
                    calls.append(["id": block["id"] ?? "", "type": "function", "function": ["name": block["name"] ?? "", "arguments": arguments]])
                case "tool_result":
                    let content =
                        block["content"] as? String ?? (block["content"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }.joined()
                    messages.append(["role": "tool", "tool_call_id": block["tool_use_id"] ?? "", "content": content])
                default:
                    break
                }
            }
            if parts.isEmpty && calls.isEmpty { continue }
            var mapped: [String: Any] = ["role": role]
            let textOnly = parts.allSatisfy { $0["type"] as? String == "text" }
            if parts.isEmpty {
                mapped["content"] = NSNull()
            } else if textOnly {
                mapped["content"] = parts.compactMap { $0["text"] as? String }.joined()
            } else {
                mapped["content"] = parts
            }
            if !calls.isEmpty { mapped["tool_calls"] = calls }
            messages.append(mapped)
        }
        var body: [String: Any] = ["model": object["model"] ?? "", "messages": messages, "max_tokens": object["max_tokens"] ?? 1024]
        for key in ["temperature", "top_p"] where object[key] != nil { body[key] = object[key] }
        if let stops = object["stop_sequences"] as? [String] { body["stop"] = stops }
        if object["stream"] as? Bool == true {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        if let tools = object["tools"] as? [[String: Any]] {
            body["tools"] = tools.map { tool in
                [
                    "type": "function",
                    "function": ["name": tool["name"] ?? "", "description": tool["description"] ?? "", "parameters": tool["input_schema"] ?? [:]],
                ] as [String: Any]
            }
        }
        if let choice = object["tool_choice"] as? [String: Any] {
            switch choice["type"] as? String {
            case "any": body["tool_choice"] = "required"
            case "none": body["tool_choice"] = "none"
            case "tool": body["tool_choice"] = ["type": "function", "function": ["name": choice["name"] ?? ""]]
            default: body["tool_choice"] = "auto"
            }
        }
        guard let data = try? JSONSerialization.data(withJSONObject: body) else {
            throw GatewayError.invalidRequest(message: "The request could not be read.")
        }
        return ByteBuffer(data: data)
    }
}
