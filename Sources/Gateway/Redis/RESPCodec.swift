import CHiredis
import Glibc
import NIOCore

/// RESP encoding and decoding through hiredis: `redisFormatCommandArgv` builds commands, the reader API
/// (`redisReaderFeed` / `redisReaderGetReply`) decodes replies from whatever bytes have arrived. Both are
/// pure, non-blocking calls; SwiftNIO does the socket I/O.
enum RESPCommand {
    /// Each argument is passed as its bytes with their length (all of them laid out in one buffer), so
    /// values holding NUL bytes are sent whole and nothing is read past an argument's end.
    static func encode(_ arguments: [String]) -> ByteBuffer {
        var joined: [UInt8] = []
        var lengths: [Int] = []
        for argument in arguments {
            joined.append(contentsOf: argument.utf8)
            lengths.append(argument.utf8.count)
        }
        // A byte past the end, so every argument (an empty last one too) has an address inside the buffer.
        joined.append(0)
        var target: UnsafeMutablePointer<CChar>?
        let length = joined.withUnsafeBufferPointer { buffer -> Int64 in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var offset = 0
            var pointers: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return base + offset
            }
            return Int64(redisFormatCommandArgv(&target, Int32(clamping: lengths.count), &pointers, &lengths))
        }
        guard length > 0, let target else { return ByteBuffer() }
        defer { redisFreeCommand(target) }
        return ByteBuffer(bytes: UnsafeRawBufferPointer(start: target, count: Int(length)))
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
