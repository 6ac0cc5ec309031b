import CHiredis
import Glibc
import NIOCore

/// RESP encoding and decoding through hiredis: `redisFormatCommandArgv` builds commands, the reader API
/// (`redisReaderFeed` / `redisReaderGetReply`) decodes replies from whatever bytes have arrived. Both are
/// pure, non-blocking calls; SwiftNIO does the socket I/O.
enum RESPCommand {
    static func encode(_ arguments: [String]) -> ByteBuffer {
        var lengths = arguments.map { $0.utf8.count }
        var target: UnsafeMutablePointer<CChar>?
        let length = withCStrings(arguments) { pointers in
            var pointers = pointers
            return redisFormatCommandArgv(&target, Int32(arguments.count), &pointers, &lengths)
        }
        guard length > 0, let target else { return ByteBuffer() }
        defer { redisFreeCommand(target) }
        return ByteBuffer(bytes: UnsafeRawBufferPointer(start: target, count: Int(length)))
    }

    private static func withCStrings<Result>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> Result) -> Result {
        let copies = strings.map { strdup($0) }
        defer { for copy in copies { free(copy) } }
        return body(copies.map { $0.map { UnsafePointer<CChar>($0) } })
    }
}

/// A hiredis reader owned by one connection's channel handler (used on its event loop only).
final class RESPReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        reader = redisReaderCreate()
    }

    deinit {
        redisReaderFree(reader)
    }

    func feed(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            _ = redisReaderFeed(reader, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
    }

    /// The next complete reply, nil when more bytes are needed.
    func next() throws(RedisError) -> RedisValue? {
        var reply: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &reply) == REDIS_OK else { throw .protocolError }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return Self.value(of: reply.assumingMemoryBound(to: redisReply.self).pointee)
    }

    private static func value(of reply: redisReply) -> RedisValue {
        func text() -> String {
            guard let pointer = reply.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: pointer, count: reply.len), as: UTF8.self)
        }
        switch reply.type {
        case REDIS_REPLY_STATUS: return .status(text())
        case REDIS_REPLY_ERROR: return .error(text())
        case REDIS_REPLY_INTEGER: return .integer(reply.integer)
        case REDIS_REPLY_STRING: return .bulk(text())
        case REDIS_REPLY_ARRAY:
            return .array((0..<reply.elements).map { index in reply.element[index].map { value(of: $0.pointee) } ?? .null })
        default: return .null
        }
    }
}
