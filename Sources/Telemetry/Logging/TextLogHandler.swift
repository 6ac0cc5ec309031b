import Logging

/// `logging.format: text`: one human-readable line per event — `ts level label: msg key=value …` — with
/// every message and metadata value redacted exactly as ``JSONLogHandler`` does, written through the same
/// non-blocking ``LogSink``.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink
    private let redactor: LogRedactor

    public init(label: String, sink: LogSink = .standardOutput, redactor: LogRedactor = LogRedactor()) {
        self.label = label
        self.sink = sink
        self.redactor = redactor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = fields(of: event)
        var line = "\(JSONLogHandler.timestamp()) \(event.level) \(label): \(redactor.redact("\(event.message)"))"
        for key in fields.keys.sorted() {
            let value = fields[key]!.description
            line += " \(key)=\(JSONLogHandler.trustedKeys.contains(key) ? value : redactor.redact(value))"
        }
        // One event, one line: line breaks inside values are escaped.
        var bytes = Array(line.replacing("\n", with: "\\n").utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBufferPointer { sink.write($0) }
    }
}
