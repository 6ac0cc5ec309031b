import Telemetry

/// Encodes a batch of spans as an OTLP `ExportTraceServiceRequest`, in protobuf or in OTLP/JSON
/// (hex ids, integer enums, 64-bit integers as strings), for one resource and one scope.
public struct OTLPTraceEncoder: Sendable {
    public enum WireFormat: String, Sendable {
        case protobuf = "http/protobuf"
        case json = "http/json"

        public var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
    }

    public let resource: [SpanAttribute]
    public let scopeName: String
    public let scopeVersion: String

    public init(resource: [SpanAttribute], scopeName: String, scopeVersion: String) {
        self.resource = resource
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
    }

    /// - Parameter pause: called after every `slice` spans (the exporters' encoding thread gives way there).
    public func encode(_ spans: [SpanRecord], as format: WireFormat, slice: Int = .max, pause: () -> Void = {}) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(spans, as: format, into: &bytes, slice: slice, pause: pause)
        return bytes
    }

    /// Encodes into `bytes`, replacing what it held but keeping its storage when that is large enough (the
    /// exporters' encoding thread reuses one buffer for every batch).
    public func encode(_ spans: [SpanRecord], as format: WireFormat, into bytes: inout [UInt8], slice: Int = .max, pause: () -> Void = {}) {
        switch format {
        case .protobuf:
            var storage: [UInt8] = []
            swap(&storage, &bytes)
            bytes = protobuf(spans, reusing: consume storage, slice: slice, pause: pause)
        case .json: bytes = json(spans)
        }
    }

    // MARK: protobuf (opentelemetry/proto/collector/trace/v1, trace/v1, common/v1, resource/v1)

    func protobuf(_ spans: [SpanRecord], reusing buffer: consuming [UInt8] = [], slice: Int = .max, pause: () -> Void = {}) -> [UInt8] {
        // About what a gateway's spans take: a reused buffer is already large enough, and sizing the batch
        // exactly walked every attribute of every span once more.
        var request = ProtobufWriter(reusing: consume buffer, capacity: 256 + spans.count * 512)
        request.message(1) { resourceSpans in
            resourceSpans.message(1) { resource in
                Self.attributes(self.resource, field: 1, into: &resource)
            }
            resourceSpans.message(2) { scopeSpans in
                scopeSpans.message(1) { scope in
                    scope.string(1, scopeName)
                    scope.string(2, scopeVersion)
                }
                // Read in place, not copied out of the batch (as a for-in or a capturing closure would).
                for index in spans.indices {
                    let start = scopeSpans.beginMessage(2)
                    Self.span(spans[index], into: &scopeSpans)
                    scopeSpans.endMessage(start)
                    if (index + 1) % slice == 0 { pause() }
                }
            }
        }
        return request.take()
    }

    private static func span(_ span: SpanRecord, into writer: inout ProtobufWriter) {
        writer.id(1, span.traceID)
        writer.id(2, span.spanID)
        if let state = span.traceState { writer.string(3, state) }
        if let parent = span.parentSpanID { writer.id(4, parent) }
        writer.string(5, span.name)
        writer.uint(6, UInt64(span.kind.rawValue))
        writer.fixed64(7, span.startTimeUnixNano)
        writer.fixed64(8, span.endTimeUnixNano)
        attributes(span.attributes, field: 9, into: &writer)
        span.events.withUnsafeBufferPointer { events in
            for index in events.indices {
                let start = writer.beginMessage(11)
                writer.fixed64(1, events[index].timeUnixNano)
                writer.string(2, events[index].name)
                attributes(events[index].attributes, field: 3, into: &writer)
                writer.endMessage(start)
            }
        }
        switch span.status {
        case .unset: break
        case .ok: writer.message(15) { $0.uint(3, 1) }
        case .error(let message):
            writer.message(15) { status in
                status.string(2, message)
                status.uint(3, 2)
            }
        }
    }

    /// Each attribute as a `KeyValue` in `field`. Read through the array's buffer: its elements are borrowed where
    /// they lie (an element read by subscript is a copy, a retain of its key and its value).
    private static func attributes(_ attributes: [SpanAttribute], field: Int, into writer: inout ProtobufWriter) {
        attributes.withUnsafeBufferPointer { attributes in
            for index in attributes.indices {
                let start = writer.beginMessage(field)
                keyValue(attributes[index], into: &writer)
                writer.endMessage(start)
            }
        }
    }

    private static func keyValue(_ attribute: borrowing SpanAttribute, into writer: inout ProtobufWriter) {
        writer.string(1, attribute.key)
        let start = writer.beginMessage(2)
        anyValue(attribute.value, into: &writer)
        writer.endMessage(start)
    }

    private static func anyValue(_ value: borrowing SpanAttribute.Value, into writer: inout ProtobufWriter) {
        switch value {
        case .string(let text): writer.stringAlways(1, text)
        case .bool(let flag): writer.boolAlways(2, flag)
        case .int(let number): writer.int64Always(3, number)
        case .double(let number): writer.double(4, number)
        case .stringArray(let items):
            writer.message(5) { array in
                for item in items { array.message(1) { $0.stringAlways(1, item) } }
            }
        }
    }

    // MARK: OTLP/JSON

    func json(_ spans: [SpanRecord]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 * spans.count + 256)
        out += Array(#"{"resourceSpans":[{"resource":{"attributes":"#.utf8)
        Self.jsonAttributes(resource, into: &out)
        out += Array(#"},"scopeSpans":[{"scope":{"name":"#.utf8)
        JSONText.appendQuoted(scopeName, to: &out)
        out += Array(#","version":"#.utf8)
        JSONText.appendQuoted(scopeVersion, to: &out)
        out += Array(#"},"spans":["#.utf8)
        for (index, span) in spans.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            Self.jsonSpan(span, into: &out)
        }
        out += Array("]}]}]}".utf8)
        return out
    }

    private static func jsonSpan(_ span: SpanRecord, into out: inout [UInt8]) {
        func field(_ name: String, _ value: String, quoted: Bool = true) {
            out += Array(",\"\(name)\":".utf8)
            if quoted { JSONText.appendQuoted(value, to: &out) } else { out += Array(value.utf8) }
        }
        out += Array(#"{"traceId":"#.utf8)
        JSONText.appendQuoted(span.traceID.description, to: &out)
        field("spanId", span.spanID.description)
        if let parent = span.parentSpanID { field("parentSpanId", parent.description) }
        if let state = span.traceState, !state.isEmpty { field("traceState", state) }
        field("name", span.name)
        field("kind", String(span.kind.rawValue), quoted: false)
        field("startTimeUnixNano", String(span.startTimeUnixNano))
        field("endTimeUnixNano", String(span.endTimeUnixNano))
        out += Array(#","attributes":"#.utf8)
        jsonAttributes(span.attributes, into: &out)
        out += Array(#","events":["#.utf8)
        for (index, event) in span.events.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(#"{"timeUnixNano":"#.utf8)
            JSONText.appendQuoted(String(event.timeUnixNano), to: &out)
            out += Array(#","name":"#.utf8)
            JSONText.appendQuoted(event.name, to: &out)
            out += Array(#","attributes":"#.utf8)
            jsonAttributes(event.attributes, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        switch span.status {
        case .unset: break
        case .ok: out += Array(#","status":{"code":1}"#.utf8)
        case .error(let message):
            out += Array(#","status":{"code":2,"message":"#.utf8)
            JSONText.appendQuoted(message, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func jsonAttributes(_ attributes: [SpanAttribute], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(#"{"key":"#.utf8)
            JSONText.appendQuoted(attribute.key, to: &out)
            out += Array(#","value":"#.utf8)
            jsonValue(attribute.value, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    private static func jsonValue(_ value: SpanAttribute.Value, into out: inout [UInt8]) {
        switch value {
        case .string(let text):
            out += Array(#"{"stringValue":"#.utf8)
            JSONText.appendQuoted(text, to: &out)
        case .bool(let flag): out += Array("{\"boolValue\":\(flag)".utf8)
        case .int(let number): out += Array("{\"intValue\":\"\(number)\"".utf8)
        case .double(let number): out += Array("{\"doubleValue\":\(number.isFinite ? "\(number)" : "0")".utf8)
        case .stringArray(let items):
            out += Array(#"{"arrayValue":{"values":["#.utf8)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += Array(#"{"stringValue":"#.utf8)
                JSONText.appendQuoted(item, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out += Array("]}".utf8)
        }
        out.append(UInt8(ascii: "}"))
    }
}
