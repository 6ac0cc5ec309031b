import Foundation
import NIOPosix

/// Throw-away PKI for TLS tests, made by `openssl` in a temporary directory: a CA, a server certificate for
/// `localhost` and 127.0.0.1 signed by it, and client certificates — one signed by the CA, one by a stranger CA.
struct TestCertificates: Sendable {
    let directory: URL

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    var caFile: String { path("ca.pem") }
    var serverCert: String { path("server.pem") }
    var serverKey: String { path("server.key") }
    var clientCert: String { path("client.pem") }
    var clientKey: String { path("client.key") }
    var strangerCert: String { path("stranger-client.pem") }
    var strangerKey: String { path("stranger-client.key") }

    static func make() async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        try await certificates.authority("ca")
        try await certificates.authority("stranger-ca")
        try await certificates.issue("server", subject: "/CN=localhost", by: "ca", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1")
        try await certificates.issue("client", subject: "/CN=client", by: "ca", extensions: "extendedKeyUsage=clientAuth")
        try await certificates.issue("stranger-client", subject: "/CN=stranger", by: "stranger-ca", extensions: "extendedKeyUsage=clientAuth")
        return certificates
    }

    /// A self-signed CA `name`.pem / `name`.key.
    func authority(_ name: String) async throws {
        try await Self.run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=\(name)", "-keyout",
            path("\(name).key"), "-out",
            path("\(name).pem"),
        ])
    }

    /// A certificate `name`.pem / `name`.key for `subject`, signed by the CA `issuer`, valid for `days`.
    func issue(_ name: String, subject: String, by issuer: String, extensions: String, days: Int = 2) async throws {
        try await Self.run([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject, "-keyout", path("\(name).key"), "-out",
            path("\(name).csr"),
        ])
        try "\(extensions)\n".write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        try await Self.run([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(issuer).pem"), "-CAkey", path("\(issuer).key"), "-CAcreateserial",
            "-days", String(days), "-extfile", path("\(name).ext"), "-out", path("\(name).pem"),
        ])
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `openssl` on NIO's blocking-work pool: key generation takes long enough under the parallel suite
    /// that blocking a Swift concurrency thread with it starves other tests' tasks.
    static func run(_ arguments: [String]) async throws {
        try await NIOThreadPool.singleton.runIfActive {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        }
    }
}
