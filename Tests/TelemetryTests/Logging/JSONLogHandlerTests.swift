import Foundation
import Logging
import Testing

@testable import Telemetry

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    /// Logs through a pipe and returns the lines written.
    func capture(_ body: (Logger) -> Void) throws -> [[String: Any]] {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        let sink = LogSink(descriptor: descriptors[1])
        var handler = JSONLogHandler(service: "llm-gateway", sink: sink)
        handler.logLevel = .debug
        body(Logger(label: "test", factory: { _ in handler }))
        sink.flush()
        close(descriptors[1])
        let data = FileHandle(fileDescriptor: descriptors[0], closeOnDealloc: true).readDataToEndOfFile()
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test("strings are quoted as RFC 8259 says, with and without characters to escape")
    func quoting() throws {
        let texts = ["", "plain-id-0123", "ünïcödé ✓", "a\"b", "back\\slash", "tab\tnew\nline\r", "\u{01}\u{1f}", "end\\"]
        for text in texts {
            var bytes: [UInt8] = []
            JSONText.appendQuoted(text, to: &bytes)
            #expect(try JSONDecoder().decode(String.self, from: Data(bytes)) == text)
            #expect(!bytes.dropFirst().dropLast().contains { $0 < 0x20 })
            // The same bytes into the owned buffer log lines are written in (from its smallest capacity).
            var owned = OwnedBytes(capacity: 1)
            JSONText.appendQuoted(text, to: &owned)
            #expect(owned.array == bytes)
        }
    }

    @Test("one JSON object per event: ts, level, msg, service, then metadata")
    func shape() throws {
        let lines = try capture { logger in
            var logger = logger
            logger[metadataKey: "trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736"
            logger.info("hello \"world\"\nsecond line\t\u{01}", metadata: ["status": "200", "nested": ["a": "b", "list": ["x", "y"]]])
            logger.debug("debug too")
            logger.trace("not at this level")
        }
        #expect(lines.count == 2)
        let first = lines[0]
        #expect(first["level"] as? String == "info")
        #expect(first["msg"] as? String == "hello \"world\"\nsecond line\t\u{01}")
        #expect(first["service"] as? String == "llm-gateway")
        #expect(first["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(first["status"] as? String == "200")
        let nested = first["nested"] as? [String: Any]
        #expect(nested?["a"] as? String == "b")
        #expect(nested?["list"] as? [String] == ["x", "y"])
        let ts = first["ts"] as? String ?? ""
        #expect(ts.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z/) != nil, "\(ts)")
    }

    @Test("pre-formatted fields (the access line) make the same line as metadata: sorted, ids included, untrusted redacted")
    func preformattedFields() throws {
        let lines = try capture { logger in
            var logger = logger
            logger[metadataKey: "request_id"] = "req-1"
            logger[metadataKey: "trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736"
            guard let handler = logger.handler as? JSONLogHandler else {
                Issue.record("not a JSON handler")
                return
            }
            handler.log(
                level: .info,
                message: "request",
                fields: [.init("status", "200"), .init("model", "gpt for jane@example.com", trusted: false), .init("attempts", "1")]
            )
            logger.info("request", metadata: ["status": "200", "model": "gpt for jane@example.com", "attempts": "1"])
            handler.log(level: .trace, message: "below the level", fields: [])
        }
        #expect(lines.count == 2)
        let (fast, slow) = (lines[0], lines[1])
        #expect(fast["model"] as? String == "gpt for [REDACTED:email]")
        for key in ["level", "msg", "service", "request_id", "trace_id", "status", "model", "attempts"] {
            #expect(fast[key] as? String == slow[key] as? String, "\(key)")
        }
        #expect(Set(fast.keys) == Set(slow.keys))
    }

    @Test("fields written in place make the same line as pre-formatted ones; numbers as decimal strings")
    func fieldsInPlace() throws {
        var handler: JSONLogHandler?
        let lines = try capture { logger in
            guard let json = logger.handler as? JSONLogHandler else {
                Issue.record("not a JSON handler")
                return
            }
            handler = json
            #expect(json.writesFieldsInPlace)
            json.log(level: .info, message: "request") { line in
                line.field("attempts", 1)
                line.field("duration_s", seconds: .nanoseconds(1_234_500))
                line.field("model", "gpt for jane@example.com", trusted: false)
                line.field("request_id", "req-1")
                line.field("span_id", id: SpanID(0x00f0_67aa_0ba9_02b7))
                line.field("status", 200)
                line.field("tokens_in", Int.min)
                line.field("tokens_out", 0)
                line.field("trace_id", id: TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0x0000_929d_0e0e_4736))
            }
            json.log(level: .trace, message: "below the level") { _ in Issue.record("a line below the level was built") }
        }
        #expect(handler != nil)
        let line = try #require(lines.first)
        #expect(lines.count == 1)
        #expect(line["model"] as? String == "gpt for [REDACTED:email]")
        #expect(line["attempts"] as? String == "1")
        #expect(line["duration_s"] as? String == "0.0012345")
        #expect(line["status"] as? String == "200")
        #expect(line["tokens_in"] as? String == String(Int.min))
        #expect(line["tokens_out"] as? String == "0")
        #expect(line["request_id"] as? String == "req-1")
        #expect(line["span_id"] as? String == "00f067aa0ba902b7")
        #expect(line["trace_id"] as? String == "4bf92f3577b34da60000929d0e0e4736")
        #expect(line["msg"] as? String == "request")
        let keys: Set = [
            "ts", "level", "msg", "service", "attempts", "duration_s", "model", "request_id", "span_id", "status", "tokens_in", "tokens_out",
            "trace_id",
        ]
        #expect(Set(line.keys) == keys)
        // The list the other handlers get holds the same fields as strings.
        var list = LogFieldList()
        list.field("status", 200)
        list.field("model", "m", trusted: false)
        list.field("span_id", id: SpanID(1))
        list.field("duration_s", seconds: .seconds(2))
        #expect(list.fields.map(\.key) == ["status", "model", "span_id", "duration_s"])
        #expect(list.fields.map(\.value) == ["200", "m", "0000000000000001", "2.0"])
        #expect(list.fields.map(\.trusted) == [true, false, true, true])
    }

    @Test("timestamps name the C library's UTC date and time (leap days, century years, year ends, random seconds)")
    func timestampsMatchGmtime() {
        var generator = SystemRandomNumberGenerator()
        let fixed: [Int] = [0, 59, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_399, 4_107_542_400, 1_735_689_599, 1_798_761_600]
        let random = (0..<2_000).map { _ in Int.random(in: 0...253_402_300_799, using: &generator) }
        for second in fixed + random {
            let nanosecond = Int.random(in: 0..<1_000_000_000, using: &generator)
            var parts = tm()
            var seconds = second
            gmtime_r(&seconds, &parts)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ",
                Int(parts.tm_year) + 1900,
                Int(parts.tm_mon) + 1,
                Int(parts.tm_mday),
                Int(parts.tm_hour),
                Int(parts.tm_min),
                Int(parts.tm_sec),
                nanosecond
            )
            #expect(JSONLogHandler.timestamp(timespec(tv_sec: second, tv_nsec: nanosecond)) == expected)
        }
    }

    @Test("durations are written as exact decimal seconds, without trailing zeros")
    func decimalSeconds() throws {
        let cases: [(Duration, String)] = [
            (.zero, "0.0"), (.seconds(1), "1.0"), (.milliseconds(1500), "1.5"), (.nanoseconds(123_456), "0.000123456"),
            (.nanoseconds(1), "0.000000001"), (.seconds(12) + .milliseconds(340), "12.34"), (.seconds(86_400 * 365), "31536000.0"),
            (.nanoseconds(-2_500_000_000), "-2.5"),
        ]
        for (duration, text) in cases { #expect(DecimalSeconds.text(duration) == text) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let nanoseconds = Int64.random(in: 0...(1 << 50), using: &generator)
            let text = DecimalSeconds.text(.nanoseconds(nanoseconds))
            // Read back exactly: the digits after the point, padded to nine, are the nanoseconds.
            let parts = text.split(separator: ".")
            #expect(parts.count == 2)
            let fraction = try #require(Int64(parts[1].padding(toLength: 9, withPad: "0", startingAt: 0)))
            #expect(try #require(Int64(parts[0])) * 1_000_000_000 + fraction == nanoseconds, "\(text)")
            #expect(parts[1].count == 1 || !parts[1].hasSuffix("0"), "\(text)")
        }
    }

    @Test("secrets and personal data are redacted in the message and in nested metadata")
    func redaction() throws {
        let lines = try capture { logger in
            logger.warning(
                "upstream refused key sk-proj-abcdefghijklmnopqrstuvwx for jane@example.com",
                metadata: ["headers": ["authorization": "Bearer abcdefghijklmnop"], "numbers": ["4111111111111111", "+14155550132"]]
            )
        }
        let line = try #require(lines.first)
        #expect(line["msg"] as? String == "upstream refused key [REDACTED:api_key] for [REDACTED:email]")
        #expect((line["headers"] as? [String: Any])?["authorization"] as? String == "[REDACTED:bearer]")
        #expect(line["numbers"] as? [String] == ["[REDACTED:card]", "[REDACTED:phone]"])
    }
}
