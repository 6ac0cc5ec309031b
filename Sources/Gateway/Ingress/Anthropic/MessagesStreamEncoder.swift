import Foundation
import NIOCore
import NIOFoundationCompat

/// Re-encodes an OpenAI chunk stream as Anthropic's event stream for `/v1/messages` clients: `message_start`,
/// a text block and one block per tool call (`content_block_start` / `_delta` / `_stop`), then `message_delta`
/// with the stop reason and usage, and `message_stop`. Chunks may split anywhere; events are read once complete.
struct MessagesStreamEncoder: StreamTranslator {
    private var pending: [UInt8] = []
    private var started = false
    private var openBlock: Int?
    private var nextBlock = 0
    /// OpenAI tool-call index → Anthropic block index.
    private var toolBlocks: [Int: Int] = [:]
    private var stopReason = "end_turn"
    private var inputTokens = 0
    private var outputTokens = 0

    mutating func translate(_ chunk: ByteBuffer) -> ByteBuffer {
        pending.append(contentsOf: chunk.readableBytesView)
        var output = ByteBuffer()
        while let end = pending.firstRange(of: [0x0A, 0x0A]) {
            let event = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
            pending.removeFirst(end.upperBound)
            for line in event.split(separator: "\n") where line.hasPrefix("data:") {
                handle(line.dropFirst(5).trimmingCharacters(in: .whitespaces), into: &output)
            }
        }
        return output
    }

    func error(_ error: GatewayError) -> ByteBuffer {
        var event = ByteBuffer(string: "event: error\ndata: ")
        var body = MessagesResponseMapping.error(error)
        event.writeBuffer(&body)
        event.writeString("\n\n")
        return event
    }

    private mutating func handle(_ data: String, into output: inout ByteBuffer) {
        if data == "[DONE]" {
            closeBlock(into: &output)
            emit(
                "message_delta",
                [
                    "type": "message_delta", "delta": ["stop_reason": stopReason, "stop_sequence": NSNull()],
                    "usage": ["output_tokens": outputTokens],
                ],
                into: &output
            )
            emit("message_stop", ["type": "message_stop"], into: &output)
            return
        }
        guard let chunk = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { return }
        if !started {
            started = true
            let message: [String: Any] = [
                "id": chunk["id"] ?? "msg_gateway", "type": "message", "role": "assistant", "model": chunk["model"] ?? "", "content": [],
                "stop_reason": NSNull(), "stop_sequence": NSNull(), "usage": ["input_tokens": 0, "output_tokens": 0],
            ]
            emit("message_start", ["type": "message_start", "message": message], into: &output)
        }
        if let usage = chunk["usage"] as? [String: Any] {
            inputTokens = usage["prompt_tokens"] as? Int ?? inputTokens
            outputTokens = usage["completion_tokens"] as? Int ?? outputTokens
        }
        for choice in chunk["choices"] as? [[String: Any]] ?? [] {
            let delta = choice["delta"] as? [String: Any] ?? [:]
            if let text = delta["content"] as? String, !text.isEmpty {
                if openBlock == nil || toolBlocks.values.contains(openBlock!) {
                    closeBlock(into: &output)
                    openBlock(["type": "text", "text": ""], into: &output)
                }
                emit(
                    "content_block_delta",
                    ["type": "content_block_delta", "index": openBlock!, "delta": ["type": "text_delta", "text": text]],
                    into: &output
                )
            }
            for call in delta["tool_calls"] as? [[String: Any]] ?? [] {
                let toolIndex = call["index"] as? Int ?? 0
                let function = call["function"] as? [String: Any] ?? [:]
                if toolBlocks[toolIndex] == nil {
                    closeBlock(into: &output)
                    toolBlocks[toolIndex] = nextBlock
                    openBlock(["type": "tool_use", "id": call["id"] ?? "", "name": function["name"] ?? "", "input": [String: Any]()], into: &output)
                }
                if let arguments = function["arguments"] as? String, !arguments.isEmpty, let block = toolBlocks[toolIndex] {
                    let partial: [String: Any] = ["type": "input_json_delta", "partial_json": arguments]
                    emit("content_block_delta", ["type": "content_block_delta", "index": block, "delta": partial], into: &output)
                }
            }
            if let finish = choice["finish_reason"] as? String { stopReason = MessagesResponseMapping.stopReason(finish) }
        }
    }

    private mutating func openBlock(_ block: [String: Any], into output: inout ByteBuffer) {
        openBlock = nextBlock
        emit("content_block_start", ["type": "content_block_start", "index": nextBlock, "content_block": block], into: &output)
        nextBlock += 1
    }

    private mutating func closeBlock(into output: inout ByteBuffer) {
        guard let index = openBlock else { return }
        emit("content_block_stop", ["type": "content_block_stop", "index": index], into: &output)
        openBlock = nil
    }

    private func emit(_ name: String, _ payload: [String: Any], into output: inout ByteBuffer) {
        output.writeString("event: \(name)\ndata: ")
        output.writeData((try? JSONSerialization.data(withJSONObject: payload)) ?? Data("{}".utf8))
        output.writeString("\n\n")
    }
}
