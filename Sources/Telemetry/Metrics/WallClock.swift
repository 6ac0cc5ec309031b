import Foundation

/// Wall-clock time for timestamps that leave the process (exemplars, log lines). Durations use ContinuousClock.
enum WallClock {
    static func secondsSince1970() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
