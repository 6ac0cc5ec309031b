import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// An HTTP/1.1 listener (HummingbirdCore's server, no router) run as a lifecycle service.
///
/// On graceful shutdown it stops accepting, lets open requests and streams finish, then closes.
public struct HTTPListener: Service {
    private let server: Server<HTTP1Channel>

    init(
        name: String,
        host: String,
        port: Int,
        maxConnections: Int?,
        idleTimeout: Duration = .seconds(300),
        additionalHandlers: @escaping @Sendable () -> [any RemovableChannelHandler] = { [] },
        responder: @escaping HTTPChannelHandler.Responder,
        onBound: (@Sendable (Int) -> Void)?,
        logger: Logger
    ) {
        let configuration = ServerConfiguration(
            address: .hostname(host, port: port),
            serverName: nil,
            backlog: 1024,
            reuseAddress: true,
            availableConnectionsDelegate: maxConnections.map { MaximumAvailableConnections($0) }
        )
        var listenerLogger = logger
        listenerLogger[metadataKey: "listener"] = "\(name)"
        server = Server(
            childChannelSetup: HTTP1Channel(
                responder: responder,
                configuration: .init(
                    additionalChannelHandlers: additionalHandlers(),
                    idleTimeout: .nanoseconds(idleTimeout.nanosecondsClamped)
                )
            ),
            configuration: configuration,
            onServerRunning: { channel in onBound?(channel.localAddress?.port ?? port) },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: listenerLogger
        )
    }

    public func run() async throws {
        try await server.run()
    }
}
