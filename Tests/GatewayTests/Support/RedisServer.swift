import Foundation
import Glibc
import NIOCore
import NIOPosix

/// A real `redis-server` on a free loopback port, without persistence, for the tests that need one.
final class RedisServer: @unchecked Sendable {
    let port: Int
    let password: String?
    private let process: Process

    private init(port: Int, password: String?, process: Process) {
        self.port = port
        self.password = password
        self.process = process
    }

    /// Starts a server (on `port`, or a free one) and waits until it accepts connections.
    static func start(port: Int? = nil, password: String? = nil) async throws -> RedisServer {
        let port = try port ?? freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        var arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", ""]
        if let password { arguments += ["--requirepass", password] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = RedisServer(port: port, password: password, process: process)
        for _ in 0..<100 {
            if (try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get())
                .map({ $0.close(promise: nil) }) != nil
            {
                return server
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        throw CocoaError(.featureUnsupported)
    }

    /// `redis://[:password@]127.0.0.1:port/db`.
    func url(database: Int = 0) -> String {
        "redis://\(password.map { ":\($0)@" } ?? "")127.0.0.1:\(port)/\(database)"
    }

    /// Stops the server (SIGKILL, as a crash would) and waits until its port refuses connections.
    /// (`waitUntilExit` and `isRunning` are unreliable off the main thread on Linux, so the port decides.)
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<200 {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(socket)
            if connected != 0 { return }
            usleep(10_000)
        }
    }

    static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        return channel.localAddress?.port ?? 0
    }
}
