import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line, the shape Loki and its pipelines parse:
/// `ts` (RFC 3339, UTC, nanoseconds), `level`, `msg`, `service`, then the metadata flattened
/// (`trace_id`, `span_id`, `request_id` among them). Every string is redacted before it is written.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let service: String
    private let sink: LogSink
    private let redactor: LogRedactor
    /// A shipper (Loki) that gets every line too; it queues, so logging never waits on it.
    private let shipper: (any LogRecordSink)?
    /// Metadata keys whose values the gateway produces itself (ids, numbers, enums) and which therefore
    /// cannot carry personal data; they skip the redactor, which is the costliest part of a log line.
    /// The fields every line starts with; metadata of the same name is not written twice.
    static let fixedKeys: Set<String> = ["ts", "level", "msg", "service"]

    public static let trustedKeys: Set<String> = [
        "trace_id", "span_id", "request_id", "duration_s", "status", "method", "route", "stream", "attempts",
        "cache", "tokens_in", "tokens_out", "provider", "error_type", "level", "listener", "port", "host",
    ]

    public init(
        service: String = "llm-gateway",
        sink: LogSink = .standardOutput,
        redactor: LogRedactor = LogRedactor(),
        shipper: (any LogRecordSink)? = nil,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.service = service
        self.sink = sink
        self.redactor = redactor
        self.shipper = shipper
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = fields(of: event)
        let now = WallClock.now()
        var line = opening(level: event.level, message: redactor.redact("\(event.message)"), at: now)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !Self.isFixed(key) {
            line.key(key)
            write(value, trusted: Self.trustedKeys.contains(key), to: &line)
        }
        emit(line, level: event.level, at: now, traceID: fields["trace_id"]?.description, requestID: fields["request_id"]?.description)
    }

    /// A field the caller formatted itself; `trusted` ones (produced by the gateway: ids, numbers, enums)
    /// skip the redactor.
    public struct Field: Sendable {
        public var key: String
        public var value: String
        public var trusted: Bool

        public init(_ key: String, _ value: String, trusted: Bool = true) {
            self.key = key
            self.value = value
            self.trusted = trusted
        }
    }

    /// Writes one line from fields the caller already holds as strings, next to the handler's own metadata
    /// (request and trace ids): the same line `log(event:)` writes for them, without building a metadata
    /// dictionary for every line. The message is the caller's constant and is not redacted. For the one line
    /// per request, which would otherwise be the costliest thing the gateway logs.
    public func log(level: Logger.Level, message: String, fields given: consuming [Field]) {
        guard level >= logLevel else { return }
        var own = metadata
        if let provided = metadataProvider?.get() { own.merge(provided) { $1 } }
        // The caller's array is moved in and edited in place.
        var fields = given
        if fields.contains(where: { Self.isFixed($0.key) }) { fields.removeAll { Self.isFixed($0.key) } }
        let givenCount = fields.count
        for (key, value) in own where !Self.isFixed(key) && !fields[..<givenCount].contains(where: { $0.key == key }) {
            switch value {
            case .string(let text): fields.append(Field(key, text, trusted: Self.trustedKeys.contains(key)))
            default: fields.append(Field(key, value.description, trusted: false))
            }
        }
        // Callers usually hand their fields in order already; checking is cheaper than sorting.
        if !Self.inKeyOrder(fields) { fields.sort { $0.key < $1.key } }
        let now = WallClock.now()
        var line = opening(level: level, message: message, at: now)
        for index in fields.indices {
            line.key(fields[index].key)
            line.string(fields[index].trusted ? fields[index].value : redactor.redact(fields[index].value))
        }
        func id(_ key: String) -> String? { fields.first { $0.key == key }?.value }
        emit(line, level: level, at: now, traceID: id("trace_id"), requestID: id("request_id"))
    }

    /// Whether ``log(level:message:writing:)`` can take a line: the handler adds no metadata of its own (the
    /// gateway's handler has none; a caller that set some gets ``log(level:message:fields:)``).
    public var writesFieldsInPlace: Bool { metadata.isEmpty && metadataProvider == nil }

    /// Writes one line whose fields `write` adds in key order, straight into the line's bytes: the cheapest
    /// line there is, for the one per request. Only when ``writesFieldsInPlace``; the message is the caller's
    /// constant and is not redacted.
    public func log(level: Logger.Level, message: String, writing write: (inout JSONLogLine) -> Void) {
        guard level >= logLevel else { return }
        let now = WallClock.now()
        var fields = JSONLogLine(line: opening(level: level, message: message, at: now), redactor: redactor)
        write(&fields)
        // The ids are read before the line is taken (only a shipper labels its records with them).
        let (traceID, requestID) = shipper == nil ? (nil, nil) : (fields.traceID, fields.requestID)
        emit(fields.line, level: level, at: now, traceID: traceID, requestID: requestID)
    }

    /// A line's first fields: `ts`, `level`, `msg` (as given) and `service`.
    private func opening(level: Logger.Level, message: String, at now: timespec) -> JSONLine {
        var line = JSONLine()
        line.key("ts")
        line.timestamp(now)
        line.field("level", level.rawValue)
        line.field("msg", message)
        line.field("service", service)
        return line
    }

    private func write(_ value: Logger.Metadata.Value, trusted: Bool, to line: inout JSONLine) {
        switch value {
        case .string(let text) where trusted: line.string(text)
        case .stringConvertible(let convertible) where trusted: line.string(convertible.description)
        default: line.value(value, redactor: redactor)
        }
    }

    /// Writes the line, and hands it to the shipper (which alone reads the ids: they are not made without one).
    private func emit(
        _ line: consuming JSONLine,
        level: Logger.Level,
        at now: timespec,
        traceID: @autoclosure () -> String?,
        requestID: @autoclosure () -> String?
    ) {
        let bytes = line.finish()
        bytes.withBytes { sink.write($0) }
        if let shipper {
            shipper.submit(
                LogRecord(
                    timeUnixNano: WallClock.unixNano(now),
                    level: level.rawValue,
                    line: bytes.withBytes { String(decoding: $0.dropLast(), as: UTF8.self) },
                    traceID: traceID(),
                    requestID: requestID()
                )
            )
        }
    }

    private static func inKeyOrder(_ fields: [Field]) -> Bool {
        for index in fields.indices.dropFirst() where !(fields[index - 1].key < fields[index].key) { return false }
        return true
    }

    /// One of the fields every line starts with (`fixedKeys`), compared without hashing.
    private static func isFixed(_ key: String) -> Bool {
        key == "ts" || key == "level" || key == "msg" || key == "service"
    }

    /// `time` as RFC 3339 in UTC with nanoseconds: `2026-11-26T17:31:07.729364123Z`.
    static func timestamp(_ time: timespec = WallClock.now()) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(30)
        appendTimestamp(time, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `time` as RFC 3339 (UTC, nanoseconds) digit by digit: no formatter, no intermediate string.
    static func appendTimestamp<Sink: ByteSink & ~Copyable>(_ time: timespec, to bytes: inout Sink) {
        // The date by integer arithmetic (UTCCalendar), not gmtime_r: that takes the C library's time-zone lock,
        // shared by the event loops, for every line.
        let seconds = Int64(time.tv_sec)
        let days = UTCCalendar.floorDivide(seconds, 86_400)
        let (year, month, day) = UTCCalendar.civil(fromDays: days)
        let secondOfDay = Int(seconds - days * 86_400)
        func digits(_ value: Int, _ count: Int, then separator: UInt8?) {
            DecimalDigits.append(UInt64(clamping: value), width: count, to: &bytes)
            if let separator { bytes.write(separator) }
        }
        digits(Int(year), 4, then: UInt8(ascii: "-"))
        digits(Int(month), 2, then: UInt8(ascii: "-"))
        digits(Int(day), 2, then: UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2, then: UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2, then: UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2, then: UInt8(ascii: "."))
        digits(Int(time.tv_nsec), 9, then: UInt8(ascii: "Z"))
    }
}

/// Builds one JSON object as bytes, escaping as RFC 8259 requires. Written into ``OwnedBytes``: a line is
/// about a hundred small writes.
struct JSONLine: ~Copyable {
    private var bytes = OwnedBytes(capacity: 512)
    private var first = true

    init() {
        bytes.write(UInt8(ascii: "{"))
    }

    /// The value of the key just written: `time` as an RFC 3339 string.
    mutating func timestamp(_ time: timespec) {
        bytes.write(UInt8(ascii: "\""))
        JSONLogHandler.appendTimestamp(time, to: &bytes)
        bytes.write(UInt8(ascii: "\""))
    }

    mutating func field(_ key: String, _ value: String) {
        self.key(key)
        string(value)
    }

    mutating func key(_ key: String) {
        if !first { bytes.write(UInt8(ascii: ",")) }
        first = false
        string(key)
        bytes.write(UInt8(ascii: ":"))
    }

    /// A key the gateway names itself (nothing in it to escape).
    mutating func key(_ key: StaticString) {
        if !first { bytes.write(UInt8(ascii: ",")) }
        first = false
        bytes.write(UInt8(ascii: "\""))
        bytes.write(key)
        bytes.write(UInt8(ascii: "\""))
        bytes.write(UInt8(ascii: ":"))
    }

    /// A duration's decimal seconds, as a JSON string.
    mutating func quotedSeconds(_ duration: Duration) {
        bytes.write(UInt8(ascii: "\""))
        DecimalSeconds.append(duration, to: &bytes)
        bytes.write(UInt8(ascii: "\""))
    }

    /// An id's hex, as a JSON string (nothing in it to escape).
    mutating func quotedHex(_ id: some HexIdentifier) {
        bytes.write(UInt8(ascii: "\""))
        id.appendHex(to: &bytes)
        bytes.write(UInt8(ascii: "\""))
    }

    /// `value` in decimal, as a JSON string (`"42"`), digit by digit.
    mutating func quotedInteger(_ value: Int) {
        bytes.write(UInt8(ascii: "\""))
        if value < 0 { bytes.write(UInt8(ascii: "-")) }
        // The magnitude as unsigned: Int.min has none as a signed value.
        DecimalDigits.append(UInt64(value.magnitude), to: &bytes)
        bytes.write(UInt8(ascii: "\""))
    }

    mutating func value(_ value: Logger.Metadata.Value, redactor: LogRedactor) {
        switch value {
        case .string(let text): string(redactor.redact(text))
        case .stringConvertible(let convertible): string(redactor.redact(convertible.description))
        case .array(let items):
            bytes.write(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.write(UInt8(ascii: ",")) }
                self.value(item, redactor: redactor)
            }
            bytes.write(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            var nested = JSONLine()
            for key in dictionary.keys.sorted() {
                nested.key(key)
                nested.value(dictionary[key]!, redactor: redactor)
            }
            nested.bytes.write(UInt8(ascii: "}"))
            nested.bytes.withBytes { bytes.write($0) }
        }
    }

    mutating func string(_ text: String) {
        JSONText.appendQuoted(text, to: &bytes)
    }

    /// The line's bytes, closed and ended with a newline.
    consuming func finish() -> OwnedBytes {
        bytes.write(UInt8(ascii: "}"))
        bytes.write(UInt8(ascii: "\n"))
        return bytes
    }
}
