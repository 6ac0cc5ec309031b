import Logging
import NIOSSL
import Synchronization
import Telemetry

/// A listener's TLS context, built from ``ServerTLSConfig``'s files and rebuilt by ``reload()`` (on `SIGHUP`):
/// each new connection takes the current context, so a swapped certificate is served from the next
/// handshake on while open connections keep theirs. `llm_tls_certificate_expiry_timestamp_seconds{listener}`
/// follows the certificate being served.
final class ListenerTLS: Sendable {
    private let config: ServerTLSConfig
    private let current: Mutex<NIOSSLContext>
    private let expiry: GaugeCell
    private let logger: Logger

    init(config: ServerTLSConfig, listener: String, registry: MetricsRegistry, logger: Logger) throws(PEMProblem) {
        self.config = config
        let (context, notAfter) = try Self.makeContext(config)
        current = Mutex(context)
        expiry = registry.gauge(MetricCatalog.tlsCertificateExpiry).labels(listener)
        expiry.set(Double(notAfter))
        self.logger = logger
    }

    /// The context new connections are served with.
    var context: NIOSSLContext { current.withLock { $0 } }

    /// Re-reads the files; on a problem (an expired certificate too, as `check-config` refuses one) the served
    /// certificate stays and the problem is logged.
    @discardableResult
    func reload() -> Bool {
        do throws(PEMProblem) {
            if let problem = PEMFiles.problem(config.certFile) { throw PEMProblem(problem) }
            let (context, notAfter) = try Self.makeContext(config)
            current.withLock { $0 = context }
            expiry.set(Double(notAfter))
            logger.info("TLS certificate reloaded", metadata: ["cert_file": "\(config.certFile)", "not_after": "\(notAfter)"])
            return true
        } catch {
            logger.error("TLS certificate reload failed; the previous certificate is still served", metadata: ["error": "\(error.message)"])
            return false
        }
    }

    /// The server context of `config` and its certificate's expiry (Unix seconds); what is wrong with the
    /// files otherwise (`check-config` reports the same).
    static func makeContext(_ config: ServerTLSConfig) throws(PEMProblem) -> (NIOSSLContext, Int) {
        let chain = try PEMFiles.certificates(config.certFile)
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: config.keyFile, format: .pem)
        } catch {
            throw PEMProblem("cannot read a PEM private key from \(config.keyFile)")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        if let clientCA = config.clientCAFile {
            _ = try PEMFiles.certificates(clientCA)
            tls.trustRoots = .file(clientCA)
            tls.certificateVerification = .noHostnameVerification
            tls.sendCANameList = true
        }
        do {
            return (try NIOSSLContext(configuration: tls), chain[0].notValidAfter)
        } catch {
            throw PEMProblem("the certificate in \(config.certFile) and the key in \(config.keyFile) do not make a TLS context (\(error))")
        }
    }
}
