import Telemetry

/// Writes what ``FinishedSpan``s tell it as OTLP protobuf `Span` messages (field 2 of a `ScopeSpans` the caller
/// has opened), straight into the export body: no attribute or event list is built on the way.
struct OTLPSpanWriter: SpanWriter, ~Copyable {
    /// The request being written; the caller opens and closes the messages around the spans.
    var protobuf: ProtobufWriter
    private var span: ProtobufWriter.MessageStart?
    private var event: ProtobufWriter.MessageStart?
    /// Where an attribute (a `KeyValue`) goes: 9 in a span, 3 in an event, 1 in a resource.
    private var attributeField = 9

    init(_ protobuf: consuming ProtobufWriter) {
        self.protobuf = protobuf
    }

    /// A `Resource` message (field 1 of a `ResourceSpans`) with `attributes`.
    mutating func resource(_ attributes: [SpanAttribute]) {
        let start = protobuf.beginMessage(1)
        attributeField = 1
        self.attributes(attributes)
        attributeField = 9
        protobuf.endMessage(start)
    }

    mutating func beginSpan(_ header: SpanHeader) {
        span = protobuf.beginMessage(2)
        attributeField = 9
        protobuf.id(1, header.traceID)
        protobuf.id(2, header.spanID)
        if let state = header.traceState { protobuf.string(3, state) }
        if let parent = header.parentSpanID { protobuf.id(4, parent) }
        protobuf.string(5, header.name)
        protobuf.uint(6, UInt64(header.kind.rawValue))
        protobuf.fixed64(7, header.startTimeUnixNano)
        protobuf.fixed64(8, header.endTimeUnixNano)
    }

    mutating func endSpan(status: SpanRecord.Status) {
        switch status {
        case .unset: break
        case .ok: protobuf.message(15) { $0.uint(3, 1) }
        case .error(let message):
            let start = protobuf.beginMessage(15)
            protobuf.string(2, message)
            protobuf.uint(3, 2)
            protobuf.endMessage(start)
        }
        if let span = span.take() { protobuf.endMessage(span) }
    }

    mutating func beginEvent(_ name: String, at timeUnixNano: UInt64) {
        event = protobuf.beginMessage(11)
        attributeField = 3
        protobuf.fixed64(1, timeUnixNano)
        protobuf.string(2, name)
    }

    mutating func endEvent() {
        if let event = event.take() { protobuf.endMessage(event) }
        attributeField = 9
    }

    // Each attribute is a `KeyValue` whose value is an `AnyValue` (a oneof: written even when it is the default).

    mutating func attribute(_ key: String, _ value: String) { keyValue(key) { $0.stringAlways(1, value) } }
    mutating func attribute(_ key: String, _ value: Bool) { keyValue(key) { $0.boolAlways(2, value) } }
    mutating func attribute(_ key: String, _ value: Int64) { keyValue(key) { $0.int64Always(3, value) } }
    mutating func attribute(_ key: String, _ value: Double) { keyValue(key) { $0.double(4, value) } }

    mutating func attribute(_ key: String, _ values: [String]) {
        keyValue(key) { protobuf in
            protobuf.message(5) { array in
                for index in values.indices { array.message(1) { $0.stringAlways(1, values[index]) } }
            }
        }
    }

    /// A `KeyValue` with `key`, in the field of what is open (span, event or resource), whose `AnyValue` `value` writes.
    private mutating func keyValue(_ key: String, _ value: (inout ProtobufWriter) -> Void) {
        let pair = protobuf.beginMessage(attributeField)
        protobuf.string(1, key)
        protobuf.message(2, value)
        protobuf.endMessage(pair)
    }
}
