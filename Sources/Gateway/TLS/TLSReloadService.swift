import ServiceLifecycle
import UnixSignals

/// Re-reads the listeners' TLS certificates on `SIGHUP` (a renewed certificate, a cert-manager rotation) until
/// shutdown; a failed reload keeps the certificate being served and logs why.
struct TLSReloadService: Service {
    let runtime: GatewayRuntime

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals { runtime.reloadTLS() }
        }
    }
}
