/// A span that has ended and writes itself out when it is exported.
///
/// The request that finished it hands over one object holding what it already had (ids, times, a route, a
/// usage), and nothing more is built on its thread: the attribute list, the event list and the status text
/// are written only on the exporters' encoding thread, straight into the export body. A ``SpanRecord`` (the
/// materialised form, for spans started through the tracing API and for tests) is one too.
///
/// A class: it is queued and handed between threads by reference.
public protocol FinishedSpan: AnyObject, Sendable {
    /// About what the span holds in memory, for byte-bounded queues. Called once, when it is queued.
    var estimatedBytes: Int { get }

    /// Writes the span: ``SpanWriter/beginSpan(_:)``, its attributes, its events (each opened, given its
    /// attributes and closed) and ``SpanWriter/endSpan(status:)``.
    func write<Writer: SpanWriter & ~Copyable>(to writer: inout Writer)
}

/// The fields every span has, given to ``SpanWriter/beginSpan(_:)``.
public struct SpanHeader: Sendable, Equatable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var parentSpanID: SpanID?
    public var traceState: String?
    public var name: String
    public var kind: SpanRecord.Kind
    /// Nanoseconds since 1970.
    public var startTimeUnixNano: UInt64
    public var endTimeUnixNano: UInt64

    public init(
        traceID: TraceID,
        spanID: SpanID,
        parentSpanID: SpanID?,
        traceState: String?,
        name: String,
        kind: SpanRecord.Kind,
        startTimeUnixNano: UInt64,
        endTimeUnixNano: UInt64
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.traceState = traceState
        self.name = name
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
    }

    /// The header of a span in `context` (its ids and trace state).
    public init(context: TraceContext, name: String, kind: SpanRecord.Kind, startTimeUnixNano: UInt64, endTimeUnixNano: UInt64) {
        self.init(
            traceID: context.traceID,
            spanID: context.spanID,
            parentSpanID: context.parentSpanID,
            traceState: context.traceState,
            name: name,
            kind: kind,
            startTimeUnixNano: startTimeUnixNano,
            endTimeUnixNano: endTimeUnixNano
        )
    }
}

/// What a ``FinishedSpan`` writes itself into: an export encoding, or ``SpanRecordBuilder``. Attributes given
/// between ``beginEvent(_:at:)`` and ``endEvent()`` belong to the event, the others to the span. It may be
/// non-copyable (an encoding that owns its buffer).
public protocol SpanWriter: ~Copyable {
    mutating func beginSpan(_ header: SpanHeader)
    mutating func attribute(_ key: String, _ value: String)
    mutating func attribute(_ key: String, _ value: Int64)
    mutating func attribute(_ key: String, _ value: Double)
    mutating func attribute(_ key: String, _ value: Bool)
    mutating func attribute(_ key: String, _ values: [String])
    mutating func beginEvent(_ name: String, at timeUnixNano: UInt64)
    mutating func endEvent()
    mutating func endSpan(status: SpanRecord.Status)
}

extension SpanWriter where Self: ~Copyable {
    public mutating func attribute(_ key: String, _ value: Int) {
        attribute(key, Int64(value))
    }

    /// An attribute held as a ``SpanAttribute/Value``.
    public mutating func attribute(_ key: String, value: SpanAttribute.Value) {
        switch value {
        case .string(let text): attribute(key, text)
        case .bool(let flag): attribute(key, flag)
        case .int(let number): attribute(key, number)
        case .double(let number): attribute(key, number)
        case .stringArray(let items): attribute(key, items)
        }
    }

    /// Each of `attributes`, read in place.
    public mutating func attributes(_ attributes: [SpanAttribute]) {
        attributes.withUnsafeBufferPointer { attributes in
            for index in attributes.indices { attribute(attributes[index].key, value: attributes[index].value) }
        }
    }
}

extension SpanRecord: FinishedSpan {
    public func write<Writer: SpanWriter & ~Copyable>(to writer: inout Writer) {
        writer.beginSpan(header)
        writer.attributes(attributes)
        events.withUnsafeBufferPointer { events in
            for index in events.indices {
                writer.beginEvent(events[index].name, at: events[index].timeUnixNano)
                writer.attributes(events[index].attributes)
                writer.endEvent()
            }
        }
        writer.endSpan(status: status)
    }

    /// `span` as records (itself, when it is one): for exports that need every field at once, and for tests.
    public static func records(of span: any FinishedSpan) -> [SpanRecord] {
        if let record = span as? SpanRecord { return [record] }
        var builder = SpanRecordBuilder()
        span.write(to: &builder)
        return builder.records
    }
}

/// Materialises what a ``FinishedSpan`` writes as ``SpanRecord``s.
public struct SpanRecordBuilder: SpanWriter {
    public private(set) var records: [SpanRecord] = []
    private var header: SpanHeader?
    private var attributes: [SpanAttribute] = []
    private var events: [SpanEvent] = []
    private var event: SpanEvent?

    public init() {}

    public mutating func beginSpan(_ header: SpanHeader) {
        self.header = header
        attributes = []
        events = []
    }

    public mutating func attribute(_ key: String, _ value: String) { add(.init(key, .string(value))) }
    public mutating func attribute(_ key: String, _ value: Int64) { add(.init(key, .int(value))) }
    public mutating func attribute(_ key: String, _ value: Double) { add(.init(key, .double(value))) }
    public mutating func attribute(_ key: String, _ value: Bool) { add(.init(key, .bool(value))) }
    public mutating func attribute(_ key: String, _ values: [String]) { add(.init(key, .stringArray(values))) }

    private mutating func add(_ attribute: SpanAttribute) {
        if event != nil { event!.attributes.append(attribute) } else { attributes.append(attribute) }
    }

    public mutating func beginEvent(_ name: String, at timeUnixNano: UInt64) {
        event = SpanEvent(name: name, timeUnixNano: timeUnixNano)
    }

    public mutating func endEvent() {
        if let event = event.take() { events.append(event) }
    }

    public mutating func endSpan(status: SpanRecord.Status) {
        guard let header = header.take() else { return }
        records.append(SpanRecord(header: header, attributes: attributes, events: events, status: status))
    }
}
