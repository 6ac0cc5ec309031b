import Foundation

/// Wall-clock time for timestamps that leave the process (span times, exemplars, log lines).
/// Durations use `ContinuousClock`, never this.
public enum WallClock {
    /// The realtime clock as the C library reports it.
    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }

    /// Nanoseconds since 1970 (OTLP timestamps, Loki values).
    public static func nowUnixNano() -> UInt64 {
        unixNano(now())
    }

    /// Seconds since 1970 (OpenMetrics exemplar timestamps, timestamp gauges).
    public static func secondsSince1970() -> Double {
        let time = now()
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func unixNano(_ time: timespec) -> UInt64 {
        UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
