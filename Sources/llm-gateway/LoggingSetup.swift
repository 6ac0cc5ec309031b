import Gateway
import Logging
import Telemetry

/// Installs the process-wide log handler chosen by `logging:` (JSON lines by default).
enum LoggingSetup {
    /// The sink for `logging.output`, buffering `logging.buffer_bytes` for its writer thread.
    static func sink(_ config: LoggingConfig) -> LogSink {
        LogSink(descriptor: config.output == .stderr ? 2 : 1, capacityBytes: config.bufferBytes)
    }

    static func bootstrap(_ config: LoggingConfig, sink: LogSink, shipper: (any LogRecordSink)? = nil) -> Logger {
        let level = Logger.Level(rawValue: config.level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch config.format {
            case .json:
                handler = JSONLogHandler(sink: sink, shipper: shipper)
            case .text:
                handler = TextLogHandler(label: label, sink: sink)
            }
            handler.logLevel = level
            return handler
        }
        return Logger(label: "llm-gateway")
    }
}
