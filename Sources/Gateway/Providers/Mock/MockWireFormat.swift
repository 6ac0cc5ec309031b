import Foundation
import NIOCore
import NIOFoundationCompat

/// OpenAI's response shapes as the mock writes them (the same shapes OpenAI's SDKs parse).
enum MockWireFormat {
    struct Completion: Encodable {
        struct Choice: Encodable {
            struct Message: Encodable {
                var role = "assistant"
                var content: String
            }
            var index = 0
            var message: Message
            var finish_reason: String
        }
        var id: String
        var object = "chat.completion"
        var created: Int
        var model: String
        var choices: [Choice]
        var usage: TokenUsage
    }

    struct Chunk: Encodable {
        struct Choice: Encodable {
            struct Delta: Encodable {
                var role: String?
                var content: String?
            }
            var index = 0
            var delta: Delta
            var finish_reason: String?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(index, forKey: .index)
                try container.encode(delta, forKey: .delta)
                try container.encode(finish_reason, forKey: .finish_reason)
            }
            enum CodingKeys: String, CodingKey { case index, delta, finish_reason }
        }
        var id: String
        var object = "chat.completion.chunk"
        var created: Int
        var model: String
        var choices: [Choice]
        var usage: TokenUsage?
    }

    struct Embeddings: Encodable {
        struct Item: Encodable {
            var object = "embedding"
            var index: Int
            var embedding: [Double]
        }
        struct Usage: Encodable {
            var prompt_tokens: Int
            var total_tokens: Int
        }
        var object = "list"
        var data: [Item]
        var model: String
        var usage: Usage
    }

    static func json(_ value: some Encodable) -> ByteBuffer { WireJSON.encode(value) }

    static func event(_ value: some Encodable) -> ByteBuffer { SSEWriter.event(json: value) }
}
