import Gateway
import Logging
import Telemetry

/// Installs the process-wide log handler chosen by `logging:` (JSON lines by default).
enum LoggingSetup {
    /// The sink `logging.output` names (lines are buffered there and written by its own thread).
    static func sink(_ config: LoggingConfig) -> LogSink {
        config.output == .stderr ? .standardError : .standardOutput
    }

    static func bootstrap(_ config: LoggingConfig, shipper: (any LogRecordSink)? = nil) -> Logger {
        let level = Logger.Level(rawValue: config.level) ?? .info
        let sink = sink(config)
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
