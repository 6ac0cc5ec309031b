import ServiceLifecycle
import UnixSignals

/// Reloads on `SIGHUP` — the configuration file and the listeners' certificates — and, with
/// `serve --watch-config-seconds`, whenever the file's bytes change (a Kubernetes ConfigMap update swaps a
/// symlink under the mounted file). Until shutdown, it also closes the upstream clients of replaced
/// configurations once their last request has finished.
struct ConfigReloadService: Service {
    /// How often replaced configurations are checked for their last request.
    static let drainCheck = Duration.seconds(1)

    let runtime: GatewayRuntime

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        let runtime = runtime
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in signals { runtime.reload(trigger: "signal") }
                }
                if let interval = runtime.watchInterval {
                    group.addTask {
                        while (try? await Task.sleep(for: interval)) != nil { runtime.reloader.reloadIfChanged() }
                    }
                }
                group.addTask {
                    while (try? await Task.sleep(for: Self.drainCheck)) != nil {
                        for transport in runtime.active.takeDrained() { try? await transport.transport.shutdown() }
                    }
                }
            }
        }
    }
}
