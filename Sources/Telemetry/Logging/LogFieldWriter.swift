/// Takes the fields of one log line, in key order, as their producer has them: a line that writes them
/// straight into its bytes (``JSONLogLine``) or a list for any other handler (``LogFieldList``). One function
/// that lists a line's fields serves both.
public protocol LogFieldWriter: ~Copyable {
    /// A string field; `trusted` ones (produced by the gateway: ids, enums) skip the redactor.
    mutating func field(_ key: StaticString, _ value: String, trusted: Bool)
    /// An integer field (written as a JSON string, like every other field of a line).
    mutating func field(_ key: StaticString, _ value: Int)
    /// A trace or span id, as its lowercase hex.
    mutating func field(_ key: StaticString, id: some HexIdentifier)
    /// A duration, as decimal seconds (``DecimalSeconds``).
    mutating func field(_ key: StaticString, seconds: Duration)
}

extension LogFieldWriter where Self: ~Copyable {
    public mutating func field(_ key: StaticString, _ value: String) {
        field(key, value, trusted: true)
    }
}

/// The fields of a line as a list of ``JSONLogHandler/Field``s, for handlers that take them one by one.
public struct LogFieldList: LogFieldWriter {
    public private(set) var fields: [JSONLogHandler.Field] = []

    public init(capacity: Int = 20) {
        fields.reserveCapacity(capacity)
    }

    public mutating func field(_ key: StaticString, _ value: String, trusted: Bool) {
        fields.append(JSONLogHandler.Field(key.description, value, trusted: trusted))
    }

    public mutating func field(_ key: StaticString, _ value: Int) {
        fields.append(JSONLogHandler.Field(key.description, String(value)))
    }

    public mutating func field(_ key: StaticString, id: some HexIdentifier) {
        fields.append(JSONLogHandler.Field(key.description, id.description))
    }

    public mutating func field(_ key: StaticString, seconds: Duration) {
        fields.append(JSONLogHandler.Field(key.description, DecimalSeconds.text(seconds)))
    }
}

/// The fields of a JSON line written straight into its bytes: no field list, no string per number.
///
/// Made by ``JSONLogHandler/log(level:message:writing:)``, which has written `ts`, `level`, `msg` and `service`;
/// the caller adds its fields in key order (the handler has no metadata of its own on this path, so nothing is
/// merged in between).
public struct JSONLogLine: LogFieldWriter, ~Copyable {
    var line: JSONLine
    let redactor: LogRedactor
    /// Kept for a log shipper, which labels its records with them: the trace id as the integer the access line
    /// gives (its text is made only for a shipper) or as a string another caller gave.
    private var traceIDValue: TraceID?
    private var traceIDText: String?
    var traceID: String? { traceIDText ?? traceIDValue?.description }
    private(set) var requestID: String?
    #if DEBUG
    private var lastKey = ""
    #endif

    init(line: consuming JSONLine, redactor: LogRedactor) {
        self.line = line
        self.redactor = redactor
    }

    public mutating func field(_ key: StaticString, _ value: String, trusted: Bool) {
        self.key(key)
        line.string(trusted ? value : redactor.redact(value))
        if Self.equal(key, "trace_id") {
            traceIDText = value
        } else if Self.equal(key, "request_id") {
            requestID = value
        }
    }

    public mutating func field(_ key: StaticString, _ value: Int) {
        self.key(key)
        line.quotedInteger(value)
    }

    public mutating func field(_ key: StaticString, id: some HexIdentifier) {
        self.key(key)
        line.quotedHex(id)
        if let trace = id.asTraceID, Self.equal(key, "trace_id") { traceIDValue = trace }
    }

    public mutating func field(_ key: StaticString, seconds: Duration) {
        self.key(key)
        line.quotedSeconds(seconds)
    }

    private mutating func key(_ key: StaticString) {
        #if DEBUG
        assert(key.description > lastKey, "fields out of key order: \(key) after \(lastKey)")
        lastKey = key.description
        #endif
        line.key(key)
    }

    private static func equal(_ key: StaticString, _ other: StaticString) -> Bool {
        key.utf8CodeUnitCount == other.utf8CodeUnitCount
            && key.withUTF8Buffer { left in other.withUTF8Buffer { right in left.elementsEqual(right) } }
    }
}
