import Foundation
import NIOCore
import Testing

@testable import Gateway

@Suite("SSE codec (one reader, one writer)")
struct SSECodecTests {
    /// A stream using every feature: named events, ids, comments, multi-line data, a field without a
    /// colon, `data:` without a space, and an event with no data (not dispatched).
    static func stream(lineEnd: String) -> String {
        [
            ": a comment", "event: first", "id: 7", "data: {\"a\":1}", "",
            "data: line one", "data:line two", "", "event: nothing", "", "data", "retry: 100", "", "data: [DONE]", "",
        ].map { $0 + lineEnd }.joined()
    }

    static let expected = [
        SSEEvent(name: "first", data: #"{"a":1}"#, id: "7"),
        SSEEvent(data: "line one\nline two", id: "7"),
        SSEEvent(data: "", id: "7"),
        SSEEvent(data: "[DONE]", id: "7"),
    ]

    static func read(_ chunks: [ArraySlice<UInt8>]) throws -> [SSEEvent] {
        var reader = SSEReader()
        var events: [SSEEvent] = []
        for chunk in chunks { events += try reader.feed(ByteBuffer(bytes: chunk)) }
        if let last = try reader.finish() { events.append(last) }
        return events
    }

    @Test("LF, CRLF and CR framing give the same events, wherever the bytes split", arguments: ["\n", "\r\n", "\r"])
    func everySplit(lineEnd: String) throws {
        let bytes = Array(Self.stream(lineEnd: lineEnd).utf8)
        #expect(try Self.read([bytes[...]]) == Self.expected)
        for split in 0...bytes.count {
            #expect(try Self.read([bytes[..<split], bytes[split...]]) == Self.expected, "split at \(split)")
        }
        // One byte at a time: a CR at the end of one chunk and an LF at the start of the next are one line end.
        #expect(try Self.read(bytes.indices.map { bytes[$0...$0] }) == Self.expected)
    }

    @Test("a last event the server did not close with a blank line is still delivered at the end")
    func unterminatedLastEvent() throws {
        #expect(try Self.read([Array("data: a\n\ndata: [DONE]\n".utf8)[...]]).map(\.data) == [Array("a".utf8), Array("[DONE]".utf8)])
        #expect(try Self.read([Array("data: [DONE]".utf8)[...]]).map(\.data) == [Array("[DONE]".utf8)])
        #expect(try Self.read([Array(": only a comment\n".utf8)[...]]).isEmpty)
    }

    @Test("an event or a line past the byte limit is refused, and nothing grows past it")
    func bounded() throws {
        var reader = SSEReader(maxEventBytes: 1024)
        #expect(throws: SSEError.eventTooLarge(limit: 1024)) { try reader.feed(ByteBuffer(string: "data: " + String(repeating: "x", count: 2000))) }
        var lines = SSEReader(maxEventBytes: 1024)
        #expect(throws: SSEError.eventTooLarge(limit: 1024)) {
            for _ in 0..<100 { _ = try lines.feed(ByteBuffer(string: "data: " + String(repeating: "y", count: 100) + "\n")) }
        }
        #expect(lines.bufferedBytes <= 1024 + 106)
        // Comments that never reach a blank line: a relay holding them back would grow without end.
        var comments = SSEReader(maxEventBytes: 1024)
        #expect(throws: SSEError.eventTooLarge(limit: 1024)) {
            for _ in 0..<100 { _ = try comments.feed(ByteBuffer(string: ": keep-alive\nevent: x\n")) }
        }
        // As the upstream's fault: a 502-class error, not a crash.
        var upstream = SSEReader(maxEventBytes: 8)
        #expect(throws: GatewayError.self) { try upstream.read(ByteBuffer(string: "data: 0123456789abcdef\n\n")) }
    }

    @Test("linear time: a 4 MiB line fed a byte at a time, and 100k tiny events in one chunk", .timeLimit(.minutes(1)))
    func linear() throws {
        var reader = SSEReader(maxEventBytes: 8 * 1024 * 1024)
        let chunk = ByteBuffer(string: "x")
        _ = try reader.feed(ByteBuffer(string: "data: "))
        for _ in 0..<(4 * 1024 * 1024) { _ = try reader.feed(chunk) }
        #expect(try reader.feed(ByteBuffer(string: "\n\n")).first?.data.count == 4 * 1024 * 1024)
        let many = ByteBuffer(string: String(repeating: "data: {}\r\n\r\n", count: 100_000))
        #expect(try reader.feed(many).count == 100_000)
    }

    @Test("the writer's events read back as written: names, and payloads holding line breaks")
    func roundTrip() throws {
        let payloads = ["{}", "two\nlines", "cr\rand\r\ncrlf", "", "trailing\n"]
        var written = ByteBuffer()
        for (index, payload) in payloads.enumerated() {
            SSEWriter.write(name: index % 2 == 0 ? "e\(index)" : nil, data: Array(payload.utf8), into: &written)
        }
        var reader = SSEReader()
        let events = try reader.feed(written)
        let normalized = payloads.map { $0.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") }
        #expect(events.map { String(decoding: $0.data, as: UTF8.self) } == normalized)
        #expect(events.map(\.name) == ["e0", nil, "e2", nil, "e4"])
    }
}
