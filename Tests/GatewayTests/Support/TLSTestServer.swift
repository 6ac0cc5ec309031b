import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTPS server on loopback answering every request with `body` (`ok` by default; keep-alive), behind a
/// certificate for `localhost` signed by a throw-away CA that `openssl` makes for the test.
final class TLSTestServer: Sendable {
    let port: Int
    /// The CA that signed the server's certificate (PEM), for the client's trust roots.
    let caFile: String
    private let channel: any Channel
    private let directory: URL

    private init(port: Int, caFile: String, channel: any Channel, directory: URL) {
        self.port = port
        self.caFile = caFile
        self.channel = channel
        self.directory = directory
    }

    static func start(body: String = "ok", contentType: String = "text/plain") async throws -> TLSTestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        try await run([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca", "-keyout", path("ca.key"), "-out", path("ca.pem"),
        ])
        try await run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", path("server.key"), "-out", path("server.csr")])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: path("san.ext"), atomically: true, encoding: .utf8)
        try await run([
            "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial", "-days", "2",
            "-extfile", path("san.ext"), "-out", path("server.pem"),
        ])
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(path("server.pem")).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: path("server.key"), format: .pem))
        )
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(OKHandler(body: body, contentType: contentType))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TLSTestServer(port: channel.localAddress?.port ?? 0, caFile: path("ca.pem"), channel: channel, directory: directory)
    }

    func stop() async {
        try? await channel.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `openssl` on NIO's blocking-work pool: key generation takes long enough under the parallel suite
    /// that blocking a Swift concurrency thread with it starves other tests' tasks.
    private static func run(_ arguments: [String]) async throws {
        try await NIOThreadPool.singleton.runIfActive { try runBlocking(arguments) }
    }

    private static func runBlocking(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    }

    private final class OKHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let body: String
        let contentType: String

        init(body: String, contentType: String) {
            self.body = body
            self.contentType = contentType
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            let headers: HTTPHeaders = ["content-length": String(body.utf8.count), "content-type": contentType]
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
