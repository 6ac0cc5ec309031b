import Foundation
import Telemetry
import Testing

@testable import Exporters

@Suite("OTLP encoding")
struct OTLPTraceEncoderTests {
    static let span = SpanRecord(
        traceID: TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!,
        spanID: SpanID(hex: "00f067aa0ba902b7")!,
        parentSpanID: SpanID(hex: "b7ad6b7169203331"),
        name: "chat gpt-4o-mini",
        kind: .client,
        startTimeUnixNano: 1_700_000_000_000_000_000,
        endTimeUnixNano: 1_700_000_000_250_000_000,
        attributes: [.string("gen_ai.operation.name", "chat"), .int("gen_ai.usage.input_tokens", 12), .bool("gen_ai.request.stream", false)],
        events: [SpanEvent(name: "first_token", timeUnixNano: 1_700_000_000_100_000_000)],
        status: .error("timeout")
    )

    @Test("protobuf varints and ids are laid out as the wire format says")
    func protobufPrimitives() {
        var writer = ProtobufWriter()
        writer.uint(1, 300)
        #expect(writer.bytes == [0x08, 0xAC, 0x02])
        var id = ProtobufWriter()
        id.id(2, SpanID(hex: "00f067aa0ba902b7")!)
        #expect(id.bytes == [0x12, 8, 0x00, 0xF0, 0x67, 0xAA, 0x0B, 0xA9, 0x02, 0xB7])
        var trace = ProtobufWriter()
        trace.id(1, TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!)
        #expect(trace.bytes == [0x0A, 16, 0x4B, 0xF9, 0x2F, 0x35, 0x77, 0xB3, 0x4D, 0xA6, 0xA3, 0xCE, 0x92, 0x9D, 0x0E, 0x0E, 0x47, 0x36])
        // A body longer than the one byte reserved for its length: 200 = 0xC8 0x01 as a varint.
        var long = ProtobufWriter()
        long.message(1) { $0.stringAlways(2, String(repeating: "x", count: 197)) }
        #expect(Array(long.bytes.prefix(5)) == [0x0A, 0xC8, 0x01, 0x12, 0xC5])
        #expect(long.bytes.count == 203)
        // Bodies at each varint width's edges: the length prefix is the body's length as a varint, the body intact.
        for length in [127, 128, 16_383, 16_384, 2_097_151, 2_097_152] {
            var nested = ProtobufWriter()
            nested.message(3) { $0.bytesForTest(length) }
            var expected: [UInt8] = [0x1A]
            var rest = UInt64(length)
            while rest >= 0x80 {
                expected.append(UInt8(truncatingIfNeeded: rest) | 0x80)
                rest >>= 7
            }
            expected.append(UInt8(rest))
            #expect(Array(nested.bytes.prefix(expected.count)) == expected, "length \(length)")
            #expect(nested.bytes.count == expected.count + length)
            #expect(nested.bytes.dropFirst(expected.count).allSatisfy { $0 == 0x7F })
        }
        let encoder = OTLPTraceEncoder(resource: [.string("service.name", "llm-gateway")], scopeName: "llm-gateway", scopeVersion: "0.1.0")
        let bytes = encoder.encode([Self.span], as: .protobuf)
        // ExportTraceServiceRequest.resource_spans (field 1, length-delimited) comes first.
        #expect(bytes.first == 0x0A)
        #expect(bytes.count > 100)
    }

    @Test("OTLP/JSON: hex ids, integer enums, 64-bit integers as strings")
    func json() throws {
        let encoder = OTLPTraceEncoder(resource: [.string("service.name", "llm-gateway")], scopeName: "llm-gateway", scopeVersion: "0.1.0")
        let object = try JSONSerialization.jsonObject(with: Data(encoder.encode([Self.span], as: .json))) as? [String: Any]
        let resourceSpans = try #require((object?["resourceSpans"] as? [[String: Any]])?.first)
        let scopeSpans = try #require((resourceSpans["scopeSpans"] as? [[String: Any]])?.first)
        let span = try #require((scopeSpans["spans"] as? [[String: Any]])?.first)
        #expect(span["traceId"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(span["parentSpanId"] as? String == "b7ad6b7169203331")
        #expect(span["kind"] as? Int == 3)
        #expect(span["startTimeUnixNano"] as? String == "1700000000000000000")
        let attributes = span["attributes"] as? [[String: Any]]
        #expect((attributes?[1]["value"] as? [String: Any])?["intValue"] as? String == "12")
        #expect((span["status"] as? [String: Any])?["code"] as? Int == 2)
    }

    @Test("gzip output is what gzip -d reads back, for text, for empty input, and batch after batch from one compressor")
    func gzipRoundTrip() throws {
        let input = Array(String(repeating: "llm-gateway spans ", count: 200).utf8)
        let compressed = try Gzip.compress(input)
        #expect(compressed.prefix(2) == [0x1F, 0x8B])
        #expect(compressed.count < input.count / 4)
        #expect(try Self.gunzip(compressed) == input)
        #expect(try Self.gunzip(try Gzip.compress([])).isEmpty)
        // Incompressible bytes (larger out than in) fit the buffer the compressor sizes.
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let deflater = try Gzip.Deflater()
        for batch in [noise, input, [], noise] { #expect(try Self.gunzip(try deflater.compress(batch)) == batch) }
    }

    @Test("a batch encoded in slices is the same bytes, with a pause after every slice")
    func slicedEncoding() {
        let encoder = OTLPTraceEncoder(resource: [.string("service.name", "llm-gateway")], scopeName: "llm-gateway", scopeVersion: "1")
        let spans = (0..<5).map { _ in Self.span }
        var pauses = 0
        let sliced = encoder.encode(spans, as: .protobuf, slice: 2) { pauses += 1 }
        #expect(pauses == 2)
        #expect(sliced == encoder.encode(spans, as: .protobuf))
    }

    @Test("one compressor and one buffer reused batch after batch give each batch's own bytes")
    func reusedBuffers() throws {
        let encoder = OTLPTraceEncoder(resource: [.string("service.name", "llm-gateway")], scopeName: "llm-gateway", scopeVersion: "1")
        let deflater = try Gzip.Deflater()
        var buffer: [UInt8] = []
        var largest = 0
        // A large batch first, then a small one: the small one must not carry the large one's tail.
        for count in [40, 3, 0, 7] {
            let spans = (0..<count).map { _ in Self.span }
            encoder.encode(spans, as: .protobuf, into: &buffer)
            let fresh = encoder.encode(spans, as: .protobuf)
            #expect(buffer == fresh)
            #expect(try Self.gunzip(try deflater.compress(buffer)) == fresh)
            largest = max(largest, buffer.capacity)
        }
        // The storage of the first batch is what the last one was written in.
        #expect(buffer.capacity == largest)
    }

    /// A span that writes itself as the gateway's do: every attribute type, events with and without attributes.
    final class WrittenSpan: FinishedSpan {
        let status: SpanRecord.Status
        init(status: SpanRecord.Status) { self.status = status }
        var estimatedBytes: Int { 512 }

        func write<Writer: SpanWriter & ~Copyable>(to writer: inout Writer) {
            writer.beginSpan(
                SpanHeader(
                    traceID: TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!,
                    spanID: SpanID(hex: "00f067aa0ba902b7")!,
                    parentSpanID: nil,
                    traceState: "vendor=1",
                    name: "POST /v1/chat/completions",
                    kind: .server,
                    startTimeUnixNano: 1_700_000_000_000_000_000,
                    endTimeUnixNano: 1_700_000_000_250_000_000
                )
            )
            writer.attribute("url.path", "/v1/chat/completions")
            writer.attribute("llm_gateway.client", "tëam-ü " + String(repeating: "ä", count: 40))
            writer.attribute("http.response.status_code", 200)
            writer.attribute("gen_ai.usage.cost.amount", 0.25)
            writer.attribute("gen_ai.request.stream", true)
            writer.attribute("gen_ai.response.finish_reasons", ["stop", "length"])
            writer.beginEvent("llm_gateway.failover", at: 1_700_000_000_010_000_000)
            writer.attribute("llm_gateway.failover.from", "primary")
            writer.attribute("error.type", "timeout")
            writer.endEvent()
            writer.beginEvent("gen_ai.first_token", at: 1_700_000_000_020_000_000)
            writer.endEvent()
            writer.endSpan(status: status)
        }
    }

    @Test("a span that writes itself is encoded as the record it materialises into, in both formats")
    func writtenSpans() throws {
        let encoder = OTLPTraceEncoder(resource: [.string("service.name", "llm-gateway")], scopeName: "llm-gateway", scopeVersion: "1")
        let spans: [any FinishedSpan] = [WrittenSpan(status: .unset), Self.span, WrittenSpan(status: .error("HTTP 502")), WrittenSpan(status: .ok)]
        let records = spans.flatMap(SpanRecord.records(of:))
        #expect(records.count == 4)
        #expect(records[1] === Self.span)
        let written = try #require(records.first)
        #expect(written.attributes.count == 6)
        #expect(written.attributes[1] == .string("llm_gateway.client", "tëam-ü " + String(repeating: "ä", count: 40)))
        #expect(written.attributes[5] == .init("gen_ai.response.finish_reasons", .stringArray(["stop", "length"])))
        #expect(written.events.map(\.name) == ["llm_gateway.failover", "gen_ai.first_token"])
        #expect(written.events[0].attributes == [.string("llm_gateway.failover.from", "primary"), .string("error.type", "timeout")])
        #expect(written.events[1].attributes.isEmpty)
        #expect(records[2].status == .error("HTTP 502"))
        for format in [OTLPTraceEncoder.WireFormat.protobuf, .json] {
            #expect(encoder.encode(spans, as: format) == encoder.encode(records, as: format), "\(format)")
        }
    }

    @Test("the envelope's lengths frame the batch exactly: one resource, one scope, every span, nothing after")
    func envelopeFraming() throws {
        let encoder = OTLPTraceEncoder(resource: [.string("service.name", "llm-gateway")], scopeName: "llm-gateway", scopeVersion: "1")
        for count in [0, 1, 2, 300, 600] {
            let spans: [any FinishedSpan] = (0..<count).map { $0 % 2 == 0 ? Self.span as any FinishedSpan : WrittenSpan(status: .unset) }
            let bytes = encoder.encode(spans, as: .protobuf)
            var reader = FieldReader(bytes: bytes[...])
            let resourceSpans = try reader.next()
            #expect(resourceSpans?.field == 1 && reader.isAtEnd, "\(count) spans: one ResourceSpans, nothing after it")
            var inside = FieldReader(bytes: resourceSpans?.body ?? [])
            #expect(try inside.next()?.field == 1)
            let scopeSpans = try inside.next()
            #expect(scopeSpans?.field == 2 && inside.isAtEnd)
            guard let scopeSpans else { continue }
            var scope = FieldReader(bytes: scopeSpans.body)
            #expect(try scope.next()?.field == 1)
            var found = 0
            while let span = try scope.next() {
                #expect(span.field == 2)
                found += 1
            }
            #expect(found == count)
        }
    }

    /// Reads the length-delimited fields of a protobuf message, one after another.
    struct FieldReader {
        var bytes: ArraySlice<UInt8>
        var isAtEnd: Bool { bytes.isEmpty }

        struct Malformed: Error {}

        mutating func varint() throws -> Int {
            var value = 0
            var shift = 0
            while let byte = bytes.popFirst() {
                value |= Int(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            throw Malformed()
        }

        mutating func next() throws -> (field: Int, body: ArraySlice<UInt8>)? {
            guard !bytes.isEmpty else { return nil }
            let tag = try varint()
            guard tag & 7 == 2 else { throw Malformed() }
            let length = try varint()
            guard length <= bytes.count else { throw Malformed() }
            defer { bytes = bytes.dropFirst(length) }
            return (tag >> 3, bytes.prefix(length))
        }
    }

    /// What `gzip -dc` makes of `compressed`.
    static func gunzip(_ compressed: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(compressed))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(output)
    }
}

extension ProtobufWriter {
    /// Appends `count` raw 0x7F bytes (a body of a given length for the length-prefix tests).
    fileprivate mutating func bytesForTest(_ count: Int) {
        for _ in 0..<count { varint(0x7F) }
    }
}
