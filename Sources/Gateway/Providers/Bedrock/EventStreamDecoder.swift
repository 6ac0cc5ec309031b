import CZlib
import NIOCore

/// One message of AWS's `application/vnd.amazon.eventstream` framing: its string headers and payload.
struct EventStreamMessage: Sendable, Equatable {
    var headers: [String: String]
    var payload: [UInt8]

    var eventType: String? { headers[":event-type"] }
    var messageType: String? { headers[":message-type"] }
    var exceptionType: String? { headers[":exception-type"] }
}

/// Decodes the binary event-stream framing: a prelude (total length, headers length, prelude CRC32), the
/// headers, the payload, and the message CRC32 — both checksums verified. Bytes may split anywhere.
/// Consumed frames are dropped from the buffer once per feed (not per frame), so decoding is linear however
/// many frames a chunk carries; a frame's declared length is bounded (16 MiB) before anything waits for it.
struct EventStreamDecoder: Sendable {
    static let maxFrameBytes = 16 * 1024 * 1024
    private var buffer: [UInt8] = []
    /// Where the unread bytes of `buffer` start.
    private var offset = 0

    private var pending: ArraySlice<UInt8> { buffer[offset...] }

    mutating func feed(_ chunk: ByteBuffer) {
        if offset > 0 {
            buffer.removeFirst(offset)
            offset = 0
        }
        buffer.append(contentsOf: chunk.readableBytesView)
    }

    /// The next complete message, nil when more bytes are needed; throws on a corrupt frame.
    mutating func next() throws(GatewayError) -> EventStreamMessage? {
        let frame = pending
        guard frame.count >= 12 else { return nil }
        let start = frame.startIndex
        let total = Int(Self.uint32(frame, start))
        let headersLength = Int(Self.uint32(frame, start + 4))
        guard total >= 16 + headersLength, total <= Self.maxFrameBytes else {
            throw .invalidUpstreamResponse("event-stream frame with impossible lengths")
        }
        guard Self.crc(frame[start..<(start + 8)]) == Self.uint32(frame, start + 8) else {
            throw .invalidUpstreamResponse("event-stream prelude CRC mismatch")
        }
        guard frame.count >= total else { return nil }
        guard Self.crc(frame[start..<(start + total - 4)]) == Self.uint32(frame, start + total - 4) else {
            throw .invalidUpstreamResponse("event-stream message CRC mismatch")
        }
        let headers = try Self.headers(Array(frame[(start + 12)..<(start + 12 + headersLength)]))
        let payload = Array(frame[(start + 12 + headersLength)..<(start + total - 4)])
        offset += total
        return EventStreamMessage(headers: headers, payload: payload)
    }

    static func crc<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    static func uint32(_ bytes: ArraySlice<UInt8>, _ offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Header values are typed; the gateway reads the string ones (`:event-type` and friends) and skips the rest.
    private static func headers(_ bytes: [UInt8]) throws(GatewayError) -> [String: String] {
        var headers: [String: String] = [:]
        var index = 0
        func take(_ count: Int) throws(GatewayError) -> ArraySlice<UInt8> {
            guard index + count <= bytes.count else { throw .invalidUpstreamResponse("event-stream header overruns its frame") }
            defer { index += count }
            return bytes[index..<(index + count)]
        }
        while index < bytes.count {
            let nameLength = Int(try take(1).first!)
            let name = String(decoding: try take(nameLength), as: UTF8.self)
            let type = try take(1).first!
            switch type {
            case 0, 1: break
            case 2: _ = try take(1)
            case 3: _ = try take(2)
            case 4: _ = try take(4)
            case 5, 8: _ = try take(8)
            case 9: _ = try take(16)
            case 6, 7:
                let length = try take(2).reduce(0) { $0 << 8 | Int($1) }
                let value = try take(length)
                if type == 7 { headers[name] = String(decoding: value, as: UTF8.self) }
            default: throw .invalidUpstreamResponse("event-stream header of unknown type \(type)")
            }
        }
        return headers
    }
}
