/// One written log line and the fields a log shipper indexes it by.
public struct LogRecord: Sendable {
    /// Nanoseconds since 1970.
    public var timeUnixNano: UInt64
    public var level: String
    /// The JSON line as written to stdout (already redacted), without its newline.
    public var line: String
    public var traceID: String?
    public var requestID: String?

    public init(timeUnixNano: UInt64, level: String, line: String, traceID: String?, requestID: String?) {
        self.timeUnixNano = timeUnixNano
        self.level = level
        self.line = line
        self.traceID = traceID
        self.requestID = requestID
    }
}

/// Where log lines are shipped besides stdout. Implementations must return at once (queue, never block).
public protocol LogRecordSink: Sendable {
    func submit(_ record: LogRecord)
}

extension LogRecord {
    /// About what the record costs in memory, for byte-bounded queues.
    public var estimatedBytes: Int { 128 + line.utf8.count }
}
