/// `server.tls` — HTTPS on the API listener: the certificate chain and key (PEM), and optionally the CA whose
/// client certificates are required (mutual TLS). TLS 1.2 and later only; HTTP/1.1. The files are re-read on
/// `SIGHUP`, so a renewed certificate is served without a restart. The metrics listener stays plain HTTP
/// unless `metrics: true`.
public struct ServerTLSConfig: Sendable, Equatable {
    public var certFile: String
    public var keyFile: String
    public var clientCAFile: String?
    /// Serve `/metrics` over the same TLS too.
    public var metrics = false

    public init(certFile: String, keyFile: String, clientCAFile: String? = nil) {
        self.certFile = certFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
    }
}
