import HTTPTypes
import HummingbirdCore
import NIOCore
import Synchronization

@testable import Gateway

/// The ways an upstream misbehaves in the fault-injection suite.
enum Fault: String, CaseIterable, Sendable, CustomStringConvertible {
    case connectionReset
    case hang
    case slowFirstByte
    case serverErrorBursts
    case rateLimited
    case malformedJSON
    case streamCut

    var description: String { rawValue }

    /// Faults that strike before the first byte could reach the client, so streamed requests are protected too.
    var isBeforeFirstByte: Bool { self != .streamCut }
}

/// Upstream scripts: one that misbehaves as a ``Fault`` says, one that always answers well.
enum FaultyUpstream {
    static func start(_ fault: Fault) async throws -> TestUpstream {
        let served = Mutex(0)
        return try await TestUpstream.start { _, body, writer in
            let stream = String(buffer: body).contains(#""stream":true"#)
            let count = served.withLock { count -> Int in
                count += 1
                return count
            }
            switch fault {
            case .connectionReset:
                try await TestUpstream.resetConnection()
            case .hang:
                try await Task.sleep(for: .seconds(30))
            case .slowFirstByte:
                try await Task.sleep(for: .seconds(2))
                try await answer(stream: stream, text: "late", to: writer)
            case .serverErrorBursts:
                // Five failures, then five answers, and again.
                if count % 10 < 5 {
                    try await OpenAIWire.error(status: 503, message: "overloaded", type: "server_error", code: nil, to: writer)
                } else {
                    try await answer(stream: stream, text: "faulty-ok", to: writer)
                }
            case .rateLimited:
                try await OpenAIWire.error(
                    status: 429,
                    message: "slow down",
                    type: "requests",
                    code: "rate_limit_exceeded",
                    retryAfter: "1",
                    to: writer
                )
            case .malformedJSON:
                if stream {
                    var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
                    try await body.write(ByteBuffer(string: "data: {\"id\":\"chatcmpl-x\",\"choices\":[{\"delta\n\n"))
                    try await body.finish(nil)
                } else {
                    try await OpenAIWire.json(ByteBuffer(string: #"{"id":"chatcmpl-x","choices":[{"message":"#), to: writer)
                }
            case .streamCut:
                let whole = OpenAIWire.completion(model: "gpt-f", content: "never finished")
                if stream {
                    var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
                    try await body.write(OpenAIWire.chunk("half"))
                    try await body.write(OpenAIWire.chunk("way"))
                } else {
                    let headers: HTTPFields = [.contentType: "application/json", .contentLength: String(whole.readableBytes)]
                    var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: headers))
                    try await body.write(whole.getSlice(at: 0, length: whole.readableBytes / 2)!)
                }
                try await Task.sleep(for: .milliseconds(5))
                try await TestUpstream.cutConnection()
            }
        }
    }

    /// An upstream that always answers `text`, whole or streamed.
    static func healthy(text: String = "healthy-ok") async throws -> TestUpstream {
        try await TestUpstream.start { _, body, writer in
            try await answer(stream: String(buffer: body).contains(#""stream":true"#), text: text, to: writer)
        }
    }

    static func answer(stream: Bool, text: String, to writer: consuming ResponseWriter) async throws {
        if stream {
            var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"]))
            try await body.write(OpenAIWire.chunk(text))
            try await body.write(OpenAIWire.done)
            try await body.finish(nil)
        } else {
            try await OpenAIWire.json(OpenAIWire.completion(model: "m", content: text), to: writer)
        }
    }
}
