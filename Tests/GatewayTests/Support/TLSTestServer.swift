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
        let certificates = try await TestCertificates.make()
        let directory = certificates.directory
        let path = { (name: String) in certificates.path(name) }
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
