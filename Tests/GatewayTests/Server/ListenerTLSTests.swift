import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Testing

@testable import Gateway

/// `server.tls` on the API listener, through real handshakes with AsyncHTTPClient: HTTPS with the test CA,
/// mutual TLS, a certificate swap picked up by a reload, and files `check-config` refuses.
@Suite("TLS on the listener")
struct ListenerTLSTests {
    static func client(trusting ca: String, cert: String? = nil, key: String? = nil) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(ca)
        if let cert, let key {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
    }

    /// The status of `GET /health/live` over `client`, or nil when the connection or handshake failed. (A client
    /// that refuses the server's certificate retries until `timeout`: expected failures pass a short one.)
    static func live(_ client: HTTPClient, _ url: String, timeout: Int64 = 10) async -> UInt? {
        let request = HTTPClientRequest(url: url + "/health/live")
        guard let response = try? await client.execute(request, timeout: .seconds(timeout)) else { return nil }
        _ = try? await response.body.collect(upTo: 4096)
        return response.status.code
    }

    static func expiry(_ gateway: GatewayHarness) async throws -> Double? {
        let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
        return MetricsTests.value(scrape, #"llm_tls_certificate_expiry_timestamp_seconds{listener="api"}"#)
    }

    @Test("HTTPS with the configured certificate; plain HTTP and untrusting clients fail; a swapped certificate is served after a reload")
    func https() async throws {
        let pki = try await TestCertificates.make()
        var config = ConfigLoader.embeddedDefault()
        config.server.tls = ServerTLSConfig(certFile: pki.serverCert, keyFile: pki.serverKey)
        #expect(ConfigValidator.validate(config).isEmpty)
        try await GatewayHarness.with(config) { gateway in
            let url = "https://localhost:\(gateway.apiPort)"
            let trusting = try Self.client(trusting: pki.caFile)
            let stranger = try Self.client(trusting: pki.path("stranger-ca.pem"))
            #expect(await Self.live(trusting, url) == 200)
            #expect(await Self.live(stranger, url, timeout: 2) == nil, "a certificate the client does not trust is refused")
            #expect(await Self.live(gateway.client, "http://127.0.0.1:\(gateway.apiPort)", timeout: 2) == nil, "no plain HTTP on a TLS listener")
            let served = try NIOSSLCertificate.fromPEMFile(pki.serverCert)[0].notValidAfter
            #expect(try await Self.expiry(gateway) == Double(served))

            // Renewed by another CA, for 5 days: after the reload new connections get it.
            try await pki.issue("server", subject: "/CN=localhost", by: "stranger-ca", extensions: "subjectAltName=DNS:localhost", days: 5)
            #expect(gateway.runtime.reloadTLS())
            #expect(await Self.live(stranger, url) == 200)
            let renewed = try NIOSSLCertificate.fromPEMFile(pki.serverCert)[0].notValidAfter
            let shown = try await Self.expiry(gateway)
            #expect(renewed > served && shown == Double(renewed))
            // A broken file on reload: the renewed certificate stays.
            try "not a certificate".write(toFile: pki.serverCert, atomically: true, encoding: .utf8)
            #expect(!gateway.runtime.reloadTLS())
            #expect(await Self.live(stranger, url) == 200)
            for client in [trusting, stranger] { try await client.shutdown() }
        }
        pki.remove()
    }

    @Test("mutual TLS: a client certificate from the configured CA is required")
    func mutual() async throws {
        let pki = try await TestCertificates.make()
        var config = ConfigLoader.embeddedDefault()
        config.server.tls = ServerTLSConfig(certFile: pki.serverCert, keyFile: pki.serverKey, clientCAFile: pki.caFile)
        try await GatewayHarness.with(config) { gateway in
            let url = "https://localhost:\(gateway.apiPort)"
            let anonymous = try Self.client(trusting: pki.caFile)
            let member = try Self.client(trusting: pki.caFile, cert: pki.clientCert, key: pki.clientKey)
            let outsider = try Self.client(trusting: pki.caFile, cert: pki.strangerCert, key: pki.strangerKey)
            #expect(await Self.live(member, url) == 200)
            #expect(await Self.live(anonymous, url) == nil, "no client certificate")
            #expect(await Self.live(outsider, url) == nil, "a client certificate of another CA")
            #expect(try await gateway.get("/metrics", port: gateway.metricsPort).status == 200, "metrics stay plain HTTP")
            for client in [anonymous, member, outsider] { try await client.shutdown() }
        }
        pki.remove()
    }

    @Test("check-config refuses missing files and a key that is not the certificate's")
    func problems() async throws {
        let pki = try await TestCertificates.make()
        var config = ConfigLoader.embeddedDefault()
        config.server.tls = ServerTLSConfig(certFile: pki.serverCert, keyFile: pki.clientKey)
        #expect(ConfigValidator.validate(config).map(\.path) == ["server.tls"])
        config.server.tls = ServerTLSConfig(certFile: pki.path("missing.pem"), keyFile: pki.serverKey)
        #expect(ConfigValidator.validate(config).first?.message.contains("cannot read PEM certificates") == true)
        config.server.tls = ServerTLSConfig(certFile: pki.serverCert, keyFile: pki.serverKey, clientCAFile: pki.path("missing.pem"))
        #expect(ConfigValidator.validate(config).map(\.path) == ["server.tls"])
        pki.remove()
    }
}
