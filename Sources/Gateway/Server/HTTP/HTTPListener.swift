import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// An HTTP/1.1 listener on SwiftNIO, run as a lifecycle service: NIO's HTTP codec and pipelining helper,
/// then the gateway's own per-connection handlers, then an ``HTTPConnectionHandler`` that hands each
/// request to `responder` in a task on the connection's event loop.
///
/// On graceful shutdown it stops accepting, closes idle connections, lets open requests and streams
/// finish (their responses say `connection: close`), and returns when the last connection has closed.
public struct HTTPListener: Service {
    struct Settings: Sendable {
        var name: String
        var host: String
        var port: Int
        /// Open connections at once; more wait in the accept backlog. Nil: no cap.
        var maxConnections: Int?
        /// Bytes of a request body kept; a longer body is refused (413) by the responder.
        var bodyLimit: Int
        /// Limits of NIO's request-head parser (header field size, total size, count).
        var headLimits = NIOHTTPDecoderLimitConfiguration()
        /// HTTPS: each connection is served with the context current when it is accepted.
        var tls: ListenerTLS?
        /// Why the listener must not start (its TLS files could not be used); it throws instead of serving.
        var startFailure: String?
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    private let settings: Settings
    /// Handlers placed between the HTTP codec and the request handler, made fresh per connection.
    private let connectionHandlers: @Sendable () -> [any ChannelHandler]
    private let responder: HTTPConnectionHandler.Responder
    private let onBound: (@Sendable (Int) -> Void)?
    private let logger: Logger

    init(
        _ settings: Settings,
        connectionHandlers: @escaping @Sendable () -> [any ChannelHandler] = { [] },
        responder: @escaping HTTPConnectionHandler.Responder,
        onBound: (@Sendable (Int) -> Void)?,
        logger: Logger
    ) {
        self.settings = settings
        self.connectionHandlers = connectionHandlers
        self.responder = responder
        self.onBound = onBound
        var logger = logger
        logger[metadataKey: "listener"] = "\(settings.name)"
        self.logger = logger
    }

    public func run() async throws {
        if let failure = settings.startFailure {
            logger.critical("listener cannot start", metadata: ["error": "\(failure)"])
            throw StartFailure(description: failure)
        }
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let channel = try await bootstrap(group: group, quiescing: quiescing).bind(host: settings.host, port: settings.port).get()
        logger.info(
            "listening",
            metadata: ["address": "\(settings.host):\(channel.localAddress?.port ?? settings.port)", "tls": "\(settings.tls != nil)"]
        )
        onBound?(channel.localAddress?.port ?? settings.port)
        let drained = channel.eventLoop.makePromise(of: Void.self)
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await drained.futureResult.get()
            } onGracefulShutdown: {
                quiescing.initiateShutdown(promise: drained)
            }
        } onCancel: {
            // Past the shutdown timeout: stop waiting for open connections.
            channel.close(promise: nil)
            drained.succeed()
        }
    }

    private func bootstrap(group: MultiThreadedEventLoopGroup, quiescing: ServerQuiescingHelper) -> ServerBootstrap {
        let settings = settings
        let connectionHandlers = connectionHandlers
        let responder = responder
        let logger = logger
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let maximum = settings.maxConnections {
                        try channel.pipeline.syncOperations.addHandler(ConnectionLimit(maximum: maximum))
                    }
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls = settings.tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls.context)) }
                    try pipeline.configureHTTPServerPipeline(
                        withPipeliningAssistance: true,
                        withErrorHandling: true,
                        withOutboundHeaderValidation: false,
                        withEncoderConfiguration: .init(),
                        withDecoderLimitConfiguration: settings.headLimits
                    )
                    try pipeline.addHandlers(connectionHandlers())
                    try pipeline.addHandler(
                        HTTPConnectionHandler(eventLoop: channel.eventLoop, bodyLimit: settings.bodyLimit, logger: logger, responder: responder)
                    )
                }
            }
    }
}
