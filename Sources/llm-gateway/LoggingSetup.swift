import Gateway
import Logging
import Telemetry

/// Installs the process-wide log handler chosen by `logging:` (JSON lines by default).
enum LoggingSetup {
    static func bootstrap(_ config: LoggingConfig, shipper: (any LogRecordSink)? = nil) -> Logger {
        let level = Logger.Level(rawValue: config.level) ?? .info
        let sink: LogSink = config.output == .stderr ? .standardError : .standardOutput
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch config.format {
            case .json:
                handler = JSONLogHandler(sink: sink, shipper: shipper)
            case .text:
                handler = config.output == .stderr ? StreamLogHandler.standardError(label: label) : StreamLogHandler.standardOutput(label: label)
            }
            handler.logLevel = level
            return handler
        }
        return Logger(label: "llm-gateway")
    }
}
