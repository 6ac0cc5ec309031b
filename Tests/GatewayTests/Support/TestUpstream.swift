import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

@testable import Gateway

/// An in-process HTTP server on a loopback port standing in for a provider: each test scripts its answers.
/// It records what it received and whether the gateway cancelled a request (closed the connection).
final class TestUpstream: Sendable {
    typealias Script = @Sendable (_ request: Request, _ body: ByteBuffer, _ writer: consuming ResponseWriter) async throws -> Void

    struct Received: Sendable {
        var path: String
        var headers: HTTPFields
        var body: ByteBuffer
    }

    final class Record: Sendable {
        let state = Mutex<(received: [Received], cancelled: Int, finished: Int)>(([], 0, 0))
    }

    /// The connection the current script answers on (for faults below HTTP: resets, cut bodies).
    @TaskLocal static var channel: (any Channel)?

    let port: Int
    let record: Record
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var received: [Received] { record.state.withLock { $0.received } }
    /// Requests whose connection the gateway closed before the script finished.
    var cancelledCount: Int { record.state.withLock { $0.cancelled } }
    var finishedCount: Int { record.state.withLock { $0.finished } }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, record: Record, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.record = record
        self.group = group
        self.task = task
    }

    static func start(_ script: @escaping Script) async throws -> TestUpstream {
        let record = Record()
        let monitor = ClientDisconnectMonitor()
        let ports = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test-upstream")
        logger.logLevel = .critical
        let responder: HTTPChannelHandler.Responder = { request, writer, channel in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 24)
            record.state.withLock { $0.received.append(Received(path: request.uri.description, headers: request.headers, body: body)) }
            let slot = Slot(writer)
            do {
                try await TestUpstream.$channel.withValue(channel) {
                    try await monitor.run(on: channel) { [request] in
                        guard let writer = slot.take() else { return }
                        try await script(request, body, writer)
                    }
                }
                record.state.withLock { $0.finished += 1 }
            } catch {
                record.state.withLock { $0.cancelled += 1 }
            }
        }
        let listener = Server(
            childChannelSetup: HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [monitor.makeHandler()])),
            configuration: ServerConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [listener], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await bound in ports.stream {
            port = bound
            break
        }
        return TestUpstream(port: port, record: record, group: group, task: task)
    }

    /// Moves a script's writer into the task that may be cancelled when the gateway hangs up.
    private final class Slot: @unchecked Sendable {
        private var writer: ResponseWriter?

        init(_ writer: consuming ResponseWriter) {
            self.writer = consume writer
        }

        func take() -> ResponseWriter? {
            writer.take()
        }
    }

    /// Drops the current connection with a TCP reset (linger 0), as a crashed upstream would.
    static func resetConnection() async throws {
        guard let channel else { return }
        if let socket = channel as? any SocketOptionProvider {
            try await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try await channel.close()
    }

    /// Closes the current connection in the middle of whatever was being written.
    static func cutConnection() async throws {
        try await channel?.close()
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        task.cancel()
        _ = try? await task.value
    }
}

/// Answers in OpenAI's wire format.
enum OpenAIWire {
    static func completion(model: String, content: String) -> ByteBuffer {
        ByteBuffer(
            string:
                #"{"id":"chatcmpl-test","object":"chat.completion","created":1,"model":"\#(model)","choices":[{"index":0,"message":{"role":"assistant","content":"\#(content)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#
        )
    }

    static func chunk(_ content: String) -> ByteBuffer {
        ByteBuffer(
            string: "data: "
                + #"{"id":"chatcmpl-test","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"\#(content)"},"finish_reason":null}]}"#
                + "\n\n"
        )
    }

    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    static func error(
        status: Int,
        message: String,
        type: String,
        code: String?,
        retryAfter: String? = nil,
        to writer: consuming ResponseWriter
    ) async throws {
        let codeJSON = code.map { "\"\($0)\"" } ?? "null"
        let body = ByteBuffer(string: #"{"error":{"message":"\#(message)","type":"\#(type)","param":null,"code":\#(codeJSON)}}"#)
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: String(body.readableBytes)]
        if let retryAfter { headers[HTTPField.Name("retry-after")!] = retryAfter }
        try await writer.write(response: HTTPResponse(status: .init(code: status), headerFields: headers), body: .init(byteBuffer: body))
    }

    static func json(_ body: ByteBuffer, to writer: consuming ResponseWriter) async throws {
        let headers: HTTPFields = [.contentType: "application/json", .contentLength: String(body.readableBytes)]
        try await writer.write(response: HTTPResponse(status: .ok, headerFields: headers), body: .init(byteBuffer: body))
    }
}
