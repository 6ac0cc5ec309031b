import Foundation
import HTTPTypes
import NIOCore
import NIOFoundationCompat

/// `/health` (the seed's report; 503 when degraded or draining), `/health/live` (the process answers)
/// and `/health/ready` (503 while draining, so load balancers move away before the listener closes).
struct HealthEndpoints: Sendable {
    let version: String
    let providers: [ProviderHealth]
    let drain: DrainState
    let started: ContinuousClock.Instant
    /// Nil when limits and cache live in memory.
    let redis: RedisClient?

    func report() -> HealthReport {
        let providers = providers.map {
            HealthReport.Provider(name: $0.name, healthy: $0.isHealthy, latency_ms: $0.lastLatencyMs)
        }
        let disk = (DiskSpace.freeGigabytes(at: FileManager.default.currentDirectoryPath) * 100).rounded() / 100
        let dependencies = HealthReport.Dependencies(
            redis: redis?.isHealthy ?? true,
            state_backend: redis == nil ? "memory" : "redis",
            disk_space_gb: disk
        )
        let healthy = providers.allSatisfy(\.healthy) && dependencies.redis && disk > HealthReport.minimumDiskGB
        let status = drain.isDraining ? "draining" : healthy ? "healthy" : "degraded"
        return HealthReport(
            status: status,
            version: version,
            uptime_seconds: Int((ContinuousClock.now - started).components.seconds),
            providers: providers,
            dependencies: dependencies
        )
    }

    func health(outcome: RequestOutcome, writer: consuming ClientResponseWriter) async throws {
        let report = report()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = ByteBuffer(data: try encoder.encode(report))
        try await ResponseWriting.json(body, status: report.isHealthy ? 200 : 503, extraHeaders: noStore, outcome: outcome, to: writer)
    }

    func live(outcome: RequestOutcome, writer: consuming ClientResponseWriter) async throws {
        try await ResponseWriting.json(ByteBuffer(string: #"{"status":"alive"}"#), extraHeaders: noStore, outcome: outcome, to: writer)
    }

    func ready(outcome: RequestOutcome, writer: consuming ClientResponseWriter) async throws {
        if drain.isDraining {
            try await ResponseWriting.json(
                ByteBuffer(string: #"{"status":"draining"}"#),
                status: 503,
                extraHeaders: noStore,
                outcome: outcome,
                to: writer
            )
        } else {
            try await ResponseWriting.json(ByteBuffer(string: #"{"status":"ready"}"#), extraHeaders: noStore, outcome: outcome, to: writer)
        }
    }

    private var noStore: HTTPFields { [.cacheControl: "no-store"] }
}
