import Foundation
import NIOCore

/// Watches an OpenAI SSE stream as it passes through, without re-encoding it: notices the closing
/// `data: [DONE]`, and decodes only the chunks telemetry needs — the first (id, model), those with a
/// finish reason, and the one carrying `usage`.
///
/// Chunks may split lines anywhere, so the unfinished tail of the last line is kept until its newline arrives.
struct OpenAIStreamDecoder: Sendable {
    private(set) var sawDone = false
    private(set) var summary = ResponseSummary()
    var usage: TokenUsage? { summary.usage }
    private var sawFirstChunk = false
    /// An `error` event sent by the upstream inside the stream.
    private(set) var sawError = false
    /// A chunk the decoder read was not JSON: the upstream is sending garbage.
    private(set) var sawMalformed = false
    private var partialLine: [UInt8] = []

    mutating func observe(_ chunk: ByteBuffer) {
        let bytes = chunk.readableBytesView
        var lineStart = bytes.startIndex
        while let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            if partialLine.isEmpty {
                inspect(line: bytes[lineStart..<newline])
            } else {
                partialLine.append(contentsOf: bytes[lineStart..<newline])
                let line = partialLine
                partialLine.removeAll(keepingCapacity: true)
                inspect(line: line[...])
            }
            lineStart = bytes.index(after: newline)
        }
        partialLine.append(contentsOf: bytes[lineStart...])
    }

    private static let dataPrefix = Array("data:".utf8)
    private static let done = Array("[DONE]".utf8)
    private static let usageKey = Array(#""usage":{"#.utf8)
    private static let finishKey = Array(#""finish_reason":""#.utf8)
    private static let errorKey = Array(#"{"error""#.utf8)

    private mutating func inspect<Line: BidirectionalCollection<UInt8>>(line: Line) where Line.SubSequence: BidirectionalCollection<UInt8> {
        guard line.starts(with: Self.dataPrefix) else { return }
        var payload = line.dropFirst(Self.dataPrefix.count)
        while let first = payload.first, first == UInt8(ascii: " ") { payload = payload.dropFirst() }
        while let last = payload.last, last == UInt8(ascii: "\r") { payload = payload.dropLast() }
        if payload.elementsEqual(Self.done) {
            sawDone = true
        } else if payload.starts(with: Self.errorKey) {
            sawError = true
        } else if !sawFirstChunk || Self.contains(payload, Self.usageKey) || Self.contains(payload, Self.finishKey) {
            sawFirstChunk = true
            if let parsed = try? JSONDecoder().decode(ResponseSummary.self, from: Data(payload)) {
                summary.merge(parsed)
            } else {
                sawMalformed = true
            }
        }
    }

    private static func contains<Haystack: Collection<UInt8>>(_ haystack: Haystack, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        var index = haystack.startIndex
        while let found = haystack[index...].firstIndex(of: first) {
            if haystack[found...].starts(with: needle) { return true }
            index = haystack.index(after: found)
        }
        return false
    }

}

/// Token counts as OpenAI reports them.
public struct TokenUsage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = promptTokens + completionTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}

/// A pass-through OpenAI stream that fails, instead of ending quietly, when the upstream closes
/// before `data: [DONE]` — a truncated answer must never look like a complete one.
struct CheckedOpenAIStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: UpstreamBody
    /// Receives what the stream said about itself, when it ends.
    let summary: StreamSummary

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: UpstreamBody.AsyncIterator
        let summary: StreamSummary
        var decoder = OpenAIStreamDecoder()

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else {
                summary.record(decoder.summary)
                if !decoder.sawDone && !decoder.sawError {
                    throw GatewayError.invalidUpstreamResponse("the stream ended before data: [DONE]")
                }
                return nil
            }
            decoder.observe(chunk)
            if decoder.sawMalformed {
                summary.record(decoder.summary)
                throw GatewayError.invalidUpstreamResponse("a stream event is not a JSON object")
            }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), summary: summary) }
}
