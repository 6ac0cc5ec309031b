import Foundation

/// The seed's `HealthResponse`: overall status, version, uptime, providers and dependencies.
struct HealthReport: Encodable, Sendable {
    struct Provider: Encodable, Sendable {
        var name: String
        var healthy: Bool
        var latency_ms: Int?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(healthy, forKey: .healthy)
            try container.encode(latency_ms, forKey: .latency_ms)
        }
        enum CodingKeys: String, CodingKey { case name, healthy, latency_ms }
    }

    struct Dependencies: Encodable, Sendable {
        /// True when Redis answers, or when none is configured (state is in memory).
        var redis: Bool
        /// "memory" or "redis": where limits and cache live.
        var state_backend: String
        var disk_space_gb: Double
    }

    var status: String
    var version: String
    var uptime_seconds: Int
    var providers: [Provider]
    var dependencies: Dependencies

    /// Below this much free disk the gateway reports itself degraded (the seed's threshold).
    static let minimumDiskGB = 1.0

    var isHealthy: Bool { status == "healthy" }
}

/// Free space of the file system holding `path`, in GB (10^9 bytes).
enum DiskSpace {
    static func freeGigabytes(at path: String) -> Double {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return 0 }
        return Double(stats.f_bavail) * Double(stats.f_frsize) / 1_000_000_000
    }
}
