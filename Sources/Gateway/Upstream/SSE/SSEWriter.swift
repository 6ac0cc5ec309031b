import NIOCore

/// Writes server-sent events: `event: <name>` when named, one `data:` line per line of the payload (so a
/// payload holding line breaks stays one event), and the blank line that ends it. The one SSE writer of
/// the gateway: every re-encoder and every error event goes through it.
enum SSEWriter {
    static func write<Payload: Collection<UInt8>>(name: String? = nil, data: Payload, into buffer: inout ByteBuffer) {
        if let name {
            buffer.writeStaticString("event: ")
            buffer.writeString(name)
            buffer.writeStaticString("\n")
        }
        var start = data.startIndex
        var index = start
        while index != data.endIndex {
            let byte = data[index]
            if byte == 0x0A || byte == 0x0D {
                buffer.writeStaticString("data: ")
                buffer.writeBytes(data[start..<index])
                buffer.writeStaticString("\n")
                start = data.index(after: index)
                if byte == 0x0D, start != data.endIndex, data[start] == 0x0A { start = data.index(after: start) }
                index = start
            } else {
                index = data.index(after: index)
            }
        }
        buffer.writeStaticString("data: ")
        buffer.writeBytes(data[start..<data.endIndex])
        buffer.writeStaticString("\n\n")
    }

    /// One event as its own buffer.
    static func event<Payload: Collection<UInt8>>(name: String? = nil, data: Payload) -> ByteBuffer {
        var buffer = ByteBuffer()
        write(name: name, data: data, into: &buffer)
        return buffer
    }

    /// One event carrying `payload` JSON-encoded.
    static func event(name: String? = nil, json payload: some Encodable) -> ByteBuffer {
        event(name: name, data: WireJSON.encode(payload).readableBytesView)
    }
}
