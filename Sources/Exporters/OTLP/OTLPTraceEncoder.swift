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
    public func encode(_ spans: [any FinishedSpan], as format: WireFormat, slice: Int = .max, pause: () -> Void = {}) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(spans, as: format, into: &bytes, slice: slice, pause: pause)
        return bytes
    }

    /// Encodes into `bytes`, replacing what it held but keeping its storage when that is large enough (the
    /// exporters' encoding thread reuses one buffer for every batch).
    public func encode(_ spans: [any FinishedSpan], as format: WireFormat, into bytes: inout [UInt8], slice: Int = .max, pause: () -> Void = {}) {
        switch format {
        case .protobuf:
            var storage: [UInt8] = []
            swap(&storage, &bytes)
            bytes = protobuf(spans, reusing: consume storage, slice: slice, pause: pause)
        case .json: bytes = json(spans.flatMap(SpanRecord.records(of:)))
        }
    }

    // MARK: protobuf (opentelemetry/proto/collector/trace/v1, trace/v1, common/v1, resource/v1)

    func protobuf(_ spans: [any FinishedSpan], reusing buffer: consuming [UInt8] = [], slice: Int = .max, pause: () -> Void = {}) -> [UInt8] {
        // The spans first, about the size a gateway's take (sizing the batch exactly would walk every span once
        // more). Read in place, not copied out of the batch (as a for-in or a capturing closure would).
        var body = OTLPSpanWriter(ProtobufWriter(capacity: spans.count * 512))
        for index in spans.indices {
            spans[index].write(to: &body)
            if (index + 1) % slice == 0 { pause() }
        }
        // Then the envelope, whose lengths are now known, written in front of them: closing the two messages
        // around the spans after them moved the whole batch twice.
        var resource = OTLPSpanWriter(ProtobufWriter(capacity: 256))
        resource.resource(self.resource)
        var scope = ProtobufWriter(capacity: 64)
        scope.message(1) { scope in
            scope.string(1, scopeName)
            scope.string(2, scopeVersion)
        }
        let scopeSpansLength = scope.count + body.protobuf.count
        let scopeSpansField = ProtobufWriter.lengthPrefixSize(field: 2, length: scopeSpansLength) + scopeSpansLength
        var envelope = ProtobufWriter(capacity: 512)
        envelope.lengthPrefix(field: 1, length: resource.protobuf.count + scopeSpansField)
        resource.protobuf.withBytes { envelope.raw($0) }
        envelope.lengthPrefix(field: 2, length: scopeSpansLength)
        scope.withBytes { envelope.raw($0) }
        // Into the caller's buffer, whose storage (large enough after the first batches) is kept.
        var bytes = consume buffer
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(envelope.count + body.protobuf.count)
        envelope.withBytes { bytes.append(contentsOf: $0) }
        body.protobuf.withBytes { bytes.append(contentsOf: $0) }
        return bytes
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
