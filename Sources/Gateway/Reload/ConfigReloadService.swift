import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Reloads on `SIGHUP` — the configuration file and the listeners' certificates — and, with
/// `serve --watch-config-seconds`, whenever the file's bytes change (a Kubernetes ConfigMap update swaps a
/// symlink under the mounted file). Until shutdown, it also closes the upstream clients of replaced
/// configurations once their last request has finished.
///
/// Reading and hashing the file, parsing it and building a generation (a few milliseconds), and reading the
/// certificates run on NIO's blocking-work pool: this service's tasks run on the event loops, where that work held
/// up every request of the loop it landed on.
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
                    for await _ in signals { await Self.offLoop { runtime.reload(trigger: "signal") } }
                }
                if let interval = runtime.watchInterval {
                    group.addTask {
                        while (try? await Task.sleep(for: interval)) != nil { await Self.offLoop { runtime.reloader.reloadIfChanged() } }
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

    /// Runs `work` on the blocking-work pool (in place when the pool is not running, as in a process shutting down).
    private static func offLoop(_ work: @escaping @Sendable () -> some Sendable) async {
        do {
            _ = try await NIOThreadPool.singleton.runIfActive(work)
        } catch {
            _ = work()
        }
    }
}
