/// Anthropic Messages API answers, both ways: what the gateway reads from Anthropic and what it writes to
/// `/v1/messages` clients — the whole `message`, the stream's events, error bodies — and the content blocks
/// requests share. Unknown fields are ignored; a known field of the wrong type fails the decode.
enum AnthropicWire {
    struct Message: Codable, Sendable {
        var id: String
        var type = "message"
        var role = "assistant"
        var model: String?
        var content: [Block]
        var stopReason: String?
        var usage: Usage?

        enum CodingKeys: String, CodingKey {
            case id, type, role, model, content, usage
            case stopReason = "stop_reason"
            case stopSequence = "stop_sequence"
        }

        init(id: String, model: String?, content: [Block], stopReason: String?, usage: Usage?) {
            self.id = id
            self.model = model
            self.content = content
            self.stopReason = stopReason
            self.usage = usage
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            model = try container.decodeIfPresent(String.self, forKey: .model)
            content = try container.decodeIfPresent([Block].self, forKey: .content) ?? []
            stopReason = try container.decodeIfPresent(String.self, forKey: .stopReason)
            usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(type, forKey: .type)
            try container.encode(role, forKey: .role)
            try container.encode(model ?? "", forKey: .model)
            try container.encode(content, forKey: .content)
            // Anthropic sends both keys, null until known; the SDK reads them.
            try container.encode(stopReason, forKey: .stopReason)
            try container.encodeNil(forKey: .stopSequence)
            try container.encodeIfPresent(usage, forKey: .usage)
        }
    }

    /// A content block: text, image, tool use or tool result (the fields of its `type` are set).
    struct Block: Codable, Sendable {
        var type: String
        var text: String?
        var source: ImageSource?
        var id: String?
        var name: String?
        var input: JSONValue?
        var toolUseID: String?
        var content: TextOrBlocks?

        enum CodingKeys: String, CodingKey {
            case type, text, source, id, name, input, content
            case toolUseID = "tool_use_id"
        }

        static func text(_ text: String) -> Block { Block(type: "text", text: text) }
        static func image(_ source: ImageSource) -> Block { Block(type: "image", source: source) }
        static func toolUse(id: String, name: String, input: JSONValue) -> Block { Block(type: "tool_use", id: id, name: name, input: input) }
        static func toolResult(id: String, content: String) -> Block { Block(type: "tool_result", toolUseID: id, content: .text(content)) }
    }

    /// A string, or content blocks: a message's content, `system`, a tool result's content.
    enum TextOrBlocks: Codable, Sendable {
        case text(String)
        case blocks([Block])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .blocks(try container.decode([Block].self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .blocks(let blocks): try container.encode(blocks)
            }
        }

        /// The text: the string, or the text blocks joined with `separator`.
        func text(separator: String) -> String {
            switch self {
            case .text(let text): text
            case .blocks(let blocks): blocks.compactMap(\.text).joined(separator: separator)
            }
        }

        /// The content as blocks (a string is one text block).
        var blocks: [Block] {
            switch self {
            case .text(let text): [.text(text)]
            case .blocks(let blocks): blocks
            }
        }
    }

    struct ImageSource: Codable, Sendable {
        var type: String
        var mediaType: String?
        var data: String?
        var url: String?

        enum CodingKeys: String, CodingKey {
            case type, data, url
            case mediaType = "media_type"
        }
    }

    /// `input_tokens` leaves out what the prompt cache read and wrote; `output_tokens` includes thinking.
    struct Usage: Codable, Sendable {
        var inputTokens: Int?
        var outputTokens: Int?
        var cacheReadInputTokens: Int?
        var cacheCreationInputTokens: Int?

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case cacheReadInputTokens = "cache_read_input_tokens"
            case cacheCreationInputTokens = "cache_creation_input_tokens"
        }

        /// The counts in OpenAI's terms (the prompt total includes the cache's tokens).
        var tokenUsage: TokenUsage {
            .separatingCache(
                uncachedInput: inputTokens ?? 0,
                cacheRead: cacheReadInputTokens ?? 0,
                cacheCreation: cacheCreationInputTokens ?? 0,
                output: outputTokens ?? 0
            )
        }

        /// These counts with those `later` reports (a stream's `message_delta` repeats or updates what
        /// `message_start` said; its counts are cumulative).
        func updated(by later: Usage?) -> Usage {
            guard let later else { return self }
            return Usage(
                inputTokens: later.inputTokens ?? inputTokens,
                outputTokens: later.outputTokens ?? outputTokens,
                cacheReadInputTokens: later.cacheReadInputTokens ?? cacheReadInputTokens,
                cacheCreationInputTokens: later.cacheCreationInputTokens ?? cacheCreationInputTokens
            )
        }
    }

    /// One stream event (`message_start`, `content_block_start`, `content_block_delta`, `content_block_stop`,
    /// `message_delta`, `message_stop`, `ping`, `error`); which fields are set depends on `type`. An error
    /// body has the same shape (`{"type":"error","error":{…}}`).
    struct StreamEvent: Codable, Sendable {
        var type: String
        var message: Message?
        var index: Int?
        var contentBlock: Block?
        var delta: Delta?
        var usage: Usage?
        var error: ErrorDetail?

        enum CodingKeys: String, CodingKey {
            case type, message, index, delta, usage, error
            case contentBlock = "content_block"
        }
    }

    /// A block's delta (`text_delta`, `input_json_delta`) or the message's (`stop_reason`, with `stop_sequence`
    /// sent as null).
    struct Delta: Codable, Sendable {
        var type: String?
        var text: String?
        var partialJSON: String?
        var stopReason: String?

        enum CodingKeys: String, CodingKey {
            case type, text
            case partialJSON = "partial_json"
            case stopReason = "stop_reason"
            case stopSequence = "stop_sequence"
        }

        init(type: String? = nil, text: String? = nil, partialJSON: String? = nil, stopReason: String? = nil) {
            self.type = type
            self.text = text
            self.partialJSON = partialJSON
            self.stopReason = stopReason
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decodeIfPresent(String.self, forKey: .type)
            text = try container.decodeIfPresent(String.self, forKey: .text)
            partialJSON = try container.decodeIfPresent(String.self, forKey: .partialJSON)
            stopReason = try container.decodeIfPresent(String.self, forKey: .stopReason)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(type, forKey: .type)
            try container.encodeIfPresent(text, forKey: .text)
            try container.encodeIfPresent(partialJSON, forKey: .partialJSON)
            if let stopReason {
                try container.encode(stopReason, forKey: .stopReason)
                try container.encodeNil(forKey: .stopSequence)
            }
        }
    }

    struct ErrorDetail: Codable, Sendable {
        var type: String?
        var message: String?
    }
}
