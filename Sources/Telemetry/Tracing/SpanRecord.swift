/// A finished span with every field built: ids, timing, kind, attributes, events and status — what spans
/// started through the tracing API become, and what tests read (``SpanRecord/records(of:)``). The gateway's own
/// spans are ``FinishedSpan``s that build none of this and write their fields straight into the export.
///
/// Spans are recorded once they end and handed to a ``SpanSink``; nothing downstream can slow the request
/// that produced them. Immutable, and a class: a span is a few strings and two arrays, and on its way from
/// the request to the export body it is copied several times (into the sink, out of the batch) however it is
/// passed — as a reference each copy is one retain, as a struct it was one per string (per traced request, with
/// every signal on: 1,118.6 retains as a struct, 1,098 as a class, for 2 more mallocs; `per-request.sh counts`).
public final class SpanRecord: Sendable, Equatable {
    public enum Kind: Int, Sendable {
        case `internal` = 1
        case server = 2
        case client = 3
    }

    public enum Status: Sendable, Equatable {
        case unset
        case ok
        case error(String)
    }

    /// Ids, name, kind and times.
    public let header: SpanHeader
    public let attributes: [SpanAttribute]
    public let events: [SpanEvent]
    public let status: Status

    public var traceID: TraceID { header.traceID }
    public var spanID: SpanID { header.spanID }
    public var parentSpanID: SpanID? { header.parentSpanID }
    public var traceState: String? { header.traceState }
    public var name: String { header.name }
    public var kind: Kind { header.kind }
    /// Nanoseconds since 1970.
    public var startTimeUnixNano: UInt64 { header.startTimeUnixNano }
    public var endTimeUnixNano: UInt64 { header.endTimeUnixNano }

    public init(header: SpanHeader, attributes: [SpanAttribute] = [], events: [SpanEvent] = [], status: Status = .unset) {
        self.header = header
        self.attributes = attributes
        self.events = events
        self.status = status
    }

    public convenience init(
        traceID: TraceID,
        spanID: SpanID,
        parentSpanID: SpanID?,
        traceState: String? = nil,
        name: String,
        kind: Kind,
        startTimeUnixNano: UInt64,
        endTimeUnixNano: UInt64,
        attributes: [SpanAttribute] = [],
        events: [SpanEvent] = [],
        status: Status = .unset
    ) {
        self.init(
            header: SpanHeader(
                traceID: traceID,
                spanID: spanID,
                parentSpanID: parentSpanID,
                traceState: traceState,
                name: name,
                kind: kind,
                startTimeUnixNano: startTimeUnixNano,
                endTimeUnixNano: endTimeUnixNano
            ),
            attributes: attributes,
            events: events,
            status: status
        )
    }

    public static func == (left: SpanRecord, right: SpanRecord) -> Bool {
        left === right
            || (left.header == right.header && left.attributes == right.attributes && left.events == right.events
                && left.status == right.status)
    }
}

/// One span attribute (OpenTelemetry's typed values).
public struct SpanAttribute: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case stringArray([String])
    }

    public var key: String
    public var value: Value

    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }

    public static func string(_ key: String, _ value: String) -> SpanAttribute { .init(key, .string(value)) }
    public static func int(_ key: String, _ value: Int) -> SpanAttribute { .init(key, .int(Int64(value))) }
    public static func double(_ key: String, _ value: Double) -> SpanAttribute { .init(key, .double(value)) }
    public static func bool(_ key: String, _ value: Bool) -> SpanAttribute { .init(key, .bool(value)) }
}

/// Something that happened at a point in a span (retry, failover, first token).
public struct SpanEvent: Sendable, Equatable {
    public var name: String
    public var timeUnixNano: UInt64
    public var attributes: [SpanAttribute]

    public init(name: String, timeUnixNano: UInt64, attributes: [SpanAttribute] = []) {
        self.name = name
        self.timeUnixNano = timeUnixNano
        self.attributes = attributes
    }
}

/// Where finished spans go. Implementations must return at once (queue, never block).
public protocol SpanSink: Sendable {
    /// Takes the span; it is written out (``FinishedSpan/write(to:)``) by whoever exports it.
    func submit(_ span: any FinishedSpan)
}

extension SpanRecord {
    /// About what the span costs in memory (its strings and a fixed overhead), for byte-bounded queues.
    public var estimatedBytes: Int {
        // Indices, not for-in: reading in place instead of copying every attribute out of its array.
        func size(_ attributes: [SpanAttribute]) -> Int {
            var total = 0
            for index in attributes.indices {
                switch attributes[index].value {
                case .string(let text): total += text.utf8.count
                case .stringArray(let texts): total += texts.reduce(0) { $0 + $1.utf8.count + 16 }
                case .bool, .int, .double: total += 8
                }
                total += attributes[index].key.utf8.count + 32
            }
            return total
        }
        var events = 0
        for index in self.events.indices { events += self.events[index].name.utf8.count + size(self.events[index].attributes) + 32 }
        return 256 + name.utf8.count + size(attributes) + events
    }
}
