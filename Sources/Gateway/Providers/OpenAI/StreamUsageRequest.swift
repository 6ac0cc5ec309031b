import NIOCore

/// Asks an OpenAI-type upstream for a stream's usage (`stream_options.include_usage: true`) when the client
/// did not, so every streamed answer's tokens are counted; the relay then strips the usage chunk the client
/// did not ask for (``OpenAIStreamDecoder/isUsageOnly(_:)``).
///
/// The usual body has no `stream_options`: the option is spliced in after the opening brace and every other
/// byte stays the client's. A body that names `stream_options` anywhere (with `include_usage: false`, other
/// options, `null`, or only inside a message's text) is decoded and re-encoded with the option set, keeping its
/// other members — never a second `stream_options` member, which parsers would read differently.
enum StreamUsageRequest {
    private static let member = Array(#""stream_options":{"include_usage":true}"#.utf8)
    private static let key = Array(#""stream_options""#.utf8)

    static func askingForUsage(_ body: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        if !names(body, key), let spliced = splice(body) { return spliced }
        var object = try JSONValue.members(of: body)
        var options: [String: JSONValue] = [:]
        if case .object(let given) = object["stream_options"] { options = given }
        options["include_usage"] = .bool(true)
        object["stream_options"] = .object(options)
        return WireJSON.encode(object)
    }

    /// The body with the option inserted as its first member, or nil when it does not start with an object.
    private static func splice(_ body: ByteBuffer) -> ByteBuffer? {
        let view = body.readableBytesView
        guard let open = view.firstIndex(where: { !JSONScanner.isWhitespace($0) }), view[open] == UInt8(ascii: "{") else { return nil }
        let afterOpen = view.index(after: open)
        let empty = view[afterOpen...].first(where: { !JSONScanner.isWhitespace($0) }) == UInt8(ascii: "}")
        var out = ByteBuffer()
        out.reserveCapacity(body.readableBytes + member.count + 1)
        out.writeBytes(view[..<afterOpen])
        out.writeBytes(member)
        if !empty { out.writeInteger(UInt8(ascii: ",")) }
        out.writeBytes(view[afterOpen...])
        return out
    }

    /// Whether `text` occurs in `body`'s bytes.
    private static func names(_ body: ByteBuffer, _ text: [UInt8]) -> Bool {
        body.withUnsafeReadableBytes { bytes in
            guard let first = text.first, bytes.count >= text.count else { return false }
            var index = 0
            while index <= bytes.count - text.count {
                guard let found = bytes[index...].firstIndex(of: first), found <= bytes.count - text.count else { return false }
                if bytes[found..<found + text.count].elementsEqual(text) { return true }
                index = found + 1
            }
            return false
        }
    }
}
