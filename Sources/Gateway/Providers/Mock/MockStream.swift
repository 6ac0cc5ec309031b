import Foundation
import NIOCore

/// The mock's stream, produced lazily: one SSE event per word, paced by the configured
/// time to first token and inter-token delay. Cancelling the reading task stops it at once.
struct MockStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let reply: MockReply
    let model: String
    let includeUsage: Bool
    let settings: MockSettings
    let created: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let stream: MockStream
        var position = 0

        /// In the caller's isolation: the relay reading this stream does not hop per event.
        mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? { try await next() }

        mutating func next() async throws -> ByteBuffer? {
            let reply = stream.reply
            let wordCount = reply.words.count
            let donePosition = wordCount + (stream.includeUsage ? 2 : 1)
            defer { position += 1 }
            if position < wordCount {
                let delay = position == 0 ? stream.settings.timeToFirstTokenMs : stream.settings.interTokenMs
                if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
                let word = position == 0 ? reply.words[0] : " " + reply.words[position]
                let delta = MockWireFormat.Chunk.Choice.Delta(role: position == 0 ? "assistant" : nil, content: word)
                return MockWireFormat.event(chunk([.init(delta: delta, finish_reason: nil)]))
            } else if position == wordCount {
                return MockWireFormat.event(chunk([.init(delta: .init(), finish_reason: reply.finishReason)]))
            } else if position < donePosition {
                var last = chunk([])
                last.usage = reply.usage
                return MockWireFormat.event(last)
            } else if position == donePosition {
                return OpenAIChat.done
            }
            return nil
        }

        private func chunk(_ choices: [MockWireFormat.Chunk.Choice]) -> MockWireFormat.Chunk {
            MockWireFormat.Chunk(id: stream.reply.id, created: stream.created, model: stream.model, choices: choices)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
