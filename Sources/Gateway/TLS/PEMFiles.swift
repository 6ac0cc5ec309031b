import NIOSSL
import Telemetry

/// Reading PEM certificate files the configuration names (CA bundles, certificate chains), so that a missing,
/// unreadable or expired file is a configuration problem at start-up rather than a failed handshake later.
enum PEMFiles {
    /// The certificates in `path`; throws a message fit for `check-config`.
    static func certificates(_ path: String) throws(PEMProblem) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw PEMProblem("cannot read PEM certificates from \(path)")
        }
        guard !certificates.isEmpty else { throw PEMProblem("\(path) holds no PEM certificate") }
        return certificates
    }

    /// What is wrong with the certificates in `path` (unreadable, empty, or the first one expired); nil if nothing.
    static func problem(_ path: String, now: Int = Int(WallClock.nowUnixNano() / 1_000_000_000)) -> String? {
        do {
            let first = try certificates(path)[0]
            return first.notValidAfter < now ? "the certificate in \(path) expired" : nil
        } catch {
            return error.message
        }
    }
}

/// Why a PEM file cannot be used.
struct PEMProblem: Error {
    let message: String

    init(_ message: String) { self.message = message }
}
