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
        var handler = JSONLogHandler(label: "test", sink: LogSink(descriptor: descriptors[1]))
        handler.logLevel = .debug
        body(Logger(label: "test", factory: { _ in handler }))
        close(descriptors[1])
        let data = FileHandle(fileDescriptor: descriptors[0], closeOnDealloc: true).readDataToEndOfFile()
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    @Test("one JSON object per event, with level, message, logger, timestamp and metadata")
    func shape() throws {
        let lines = try capture { logger in
            var logger = logger
            logger[metadataKey: "request_id"] = "abc"
            logger.info("hello \"world\"\nsecond line", metadata: ["status": "200", "nested": ["a": "b"]])
            logger.debug("debug too")
            logger.trace("not at this level")
        }
        #expect(lines.count == 2)
        let first = lines[0]
        #expect(first["level"] as? String == "info")
        #expect(first["message"] as? String == "hello \"world\"\nsecond line")
        #expect(first["logger"] as? String == "test")
        #expect(first["request_id"] as? String == "abc")
        #expect(first["status"] as? String == "200")
        #expect((first["nested"] as? [String: Any])?["a"] as? String == "b")
        let timestamp = first["timestamp"] as? String ?? ""
        #expect(timestamp.count == 27 && timestamp.hasSuffix("Z"))
        #expect(ISO8601DateFormatter().date(from: timestamp.replacingOccurrences(of: #"\.\d{6}"#, with: "", options: .regularExpression)) != nil)
    }
}
