import Foundation

/// The standard `process_*` metrics, read from /proc at scrape time (Linux).
final class ProcessMetrics: Sendable {
    private let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    private let startTime: Double

    init() {
        var startTime = Date().timeIntervalSince1970
        if let stat = Self.stat(), let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
            let systemUptime = Double(uptime.split(separator: " ").first ?? ""), stat.count > 19,
            let startTicks = Double(stat[19])
        {
            startTime = Date().timeIntervalSince1970 - systemUptime + startTicks / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
        self.startTime = startTime
    }

    func sample(into registry: MetricsRegistry) {
        registry.gauge(MetricCatalog.processStartTime).labels().set(startTime)
        if let stat = Self.stat(), stat.count > 21 {
            let cpu = ((Double(stat[11]) ?? 0) + (Double(stat[12]) ?? 0)) / ticksPerSecond
            registry.gauge(MetricCatalog.processCPUSeconds).labels().set(cpu)
            registry.gauge(MetricCatalog.processResidentMemory).labels().set((Double(stat[21]) ?? 0) * pageSize)
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            registry.gauge(MetricCatalog.processOpenFDs).labels().set(Double(descriptors.count))
        }
    }

    /// Fields of /proc/self/stat after the command name (index 0 is the state field, number 3 in proc(5)).
    private static func stat() -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let end = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: end)...].split(separator: " ")
    }
}
