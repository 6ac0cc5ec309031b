import NIOCore

extension ChatCompletionRequest.Head {
    /// The parameters the gateway reads, by one validating pass over the bytes (``JSONScanner``) instead
    /// of JSONDecoder — the usual request costs no model of its messages, tools or other fields.
    ///
    /// It takes on only what it reads exactly as the `Decodable` reading would: nil as soon as the body
    /// holds anything else (a parameter of an unexpected type, a number that is not plain, an escaped or
    /// repeated parameter name, malformed JSON), and then JSONDecoder reads the body and words the 400.
    static func scan(_ body: ByteBuffer) -> Self? {
        body.withUnsafeReadableBytes { bytes -> Self? in
            var scanner = JSONScanner(bytes)
            var head = Self()
            // The parameters read so far, a bit each (a repeated one is left to JSONDecoder).
            var seen: UInt32 = 0
            do {
                guard scanner.peek() == UInt8(ascii: "{") else { return nil }
                try scanner.object { key, scanner in
                    guard let (parameter, bit) = Parameter.named(key) else {
                        return try scanner.skipUnread(key)
                    }
                    guard seen & bit == 0 else { throw Unsupported() }
                    seen |= bit
                    try head.read(parameter, from: &scanner)
                }
                guard scanner.atEnd() else { return nil }
            } catch {
                return nil
            }
            return head
        }
    }

    private enum Parameter: String, CaseIterable {
        case model, messages, stream, n, temperature, stop
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case topP = "top_p"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case topLogprobs = "top_logprobs"
        case logitBias = "logit_bias"

        /// Every case with its name's bytes, built once (`allCases` builds an array each time it is read).
        private static let named = allCases.map { ($0, Array($0.rawValue.utf8)) }

        /// The parameter whose name is `key`, and its bit in a set of parameters (fewer than 32 cases).
        static func named(_ key: UnsafeRawBufferPointer) -> (Self, UInt32)? {
            guard let index = named.firstIndex(where: { $0.1.elementsEqual(key) }) else { return nil }
            return (named[index].0, 1 << UInt32(index))
        }
    }

    private mutating func read(_ parameter: Parameter, from scanner: inout JSONScanner) throws {
        switch parameter {
        case .model: model = try scanner.nullable { try $0.stringValue() }
        case .messages: messages = try scanner.nullable { try ChatMessageHead.scanList(&$0) }
        case .stream: stream = try scanner.nullable { $0.boolValue() }
        case .streamOptions:
            stream_options = try scanner.nullable { scanner in
                var options = StreamOptions()
                try scanner.object { key, scanner in
                    guard key.elementsEqual("include_usage".utf8) else {
                        return try scanner.skipUnread(key)
                    }
                    guard options.include_usage == nil else { throw Unsupported() }
                    options.include_usage = try scanner.nullable { $0.boolValue() }
                }
                return options
            }
        case .maxTokens: max_tokens = try scanner.nullable { $0.plainInteger().map(IntegerParameter.init) }
        case .maxCompletionTokens: max_completion_tokens = try scanner.nullable { $0.plainInteger().map(IntegerParameter.init) }
        case .n: n = try scanner.nullable { $0.plainInteger().map(IntegerParameter.init) }
        case .topLogprobs: top_logprobs = try scanner.nullable { $0.plainInteger().map(IntegerParameter.init) }
        case .temperature: temperature = try scanner.nullable { $0.finiteNumber() }
        case .topP: top_p = try scanner.nullable { $0.finiteNumber() }
        case .presencePenalty: presence_penalty = try scanner.nullable { $0.finiteNumber() }
        case .frequencyPenalty: frequency_penalty = try scanner.nullable { $0.finiteNumber() }
        case .logitBias:
            logit_bias = try scanner.nullable { scanner in
                guard scanner.peek() == UInt8(ascii: "{") else { return nil }
                var biases: [String: Double] = [:]
                var index = 0
                try scanner.object { _, scanner in
                    // Only the values are checked; distinct placeholder keys keep every one of them.
                    guard let bias = scanner.finiteNumber() else { throw Unsupported() }
                    biases[String(index)] = bias
                    index += 1
                }
                return biases
            }
        case .stop:
            stop = try scanner.nullable { scanner in
                if try scanner.stringValue() != nil { return ChatCompletionRequest.StopSequences(count: 1) }
                guard scanner.peek() == UInt8(ascii: "[") else { return nil }
                var count = 0
                try scanner.array { scanner in
                    guard try scanner.stringValue() != nil else { throw Unsupported() }
                    count += 1
                }
                return ChatCompletionRequest.StopSequences(count: count)
            }
        }
    }
}

extension ChatMessageHead {
    /// `messages` by the scan: an array of objects with a string `role` and a `content` that is a string,
    /// typed parts or null; nil (left to JSONDecoder) for anything else.
    fileprivate static func scanList(_ scanner: inout JSONScanner) throws -> [ChatMessageHead]? {
        guard scanner.peek() == UInt8(ascii: "[") else { return nil }
        var messages: [ChatMessageHead] = []
        try scanner.array { scanner in
            guard scanner.peek() == UInt8(ascii: "{") else { throw Unsupported() }
            var role: String?
            var text: String?
            try scanner.object { key, scanner in
                if key.elementsEqual("role".utf8) {
                    guard role == nil, let value = try scanner.stringValue() else { throw Unsupported() }
                    role = value
                } else if key.elementsEqual("content".utf8) {
                    guard text == nil else { throw Unsupported() }
                    text = try scanner.nullable { try scanText(&$0) } ?? ""
                } else {
                    try scanner.skipUnread(key)
                }
            }
            guard let role else { throw Unsupported() }
            messages.append(ChatMessageHead(role: role, text: text ?? ""))
        }
        return messages
    }

    /// Content as text: the string, or the `text` of its parts joined by spaces.
    private static func scanText(_ scanner: inout JSONScanner) throws -> String? {
        if let text = try scanner.stringValue() { return text }
        guard scanner.peek() == UInt8(ascii: "[") else { return nil }
        var texts: [String] = []
        try scanner.array { scanner in
            guard scanner.peek() == UInt8(ascii: "{") else { throw Unsupported() }
            var sawType = false
            var sawText = false
            try scanner.object { key, scanner in
                if key.elementsEqual("type".utf8) {
                    guard !sawType else { throw Unsupported() }
                    sawType = true
                    _ = try scanner.nullable { try $0.stringValue() }
                } else if key.elementsEqual("text".utf8) {
                    guard !sawText else { throw Unsupported() }
                    sawText = true
                    if let text = try scanner.nullable({ try $0.stringValue() }) { texts.append(text) }
                } else {
                    try scanner.skipUnread(key)
                }
            }
        }
        return texts.joined(separator: " ")
    }

}

/// The body holds something the scan leaves to JSONDecoder.
private struct Unsupported: Error {}
