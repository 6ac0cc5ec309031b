import NIOCore
import Telemetry

/// Puts a deployment's model name into a client's JSON body in place of the public one, every other byte kept.
///
/// A deployment whose model is named differently from the public model (an Azure deployment, a dated snapshot
/// behind an alias) is the common case, and decoding the whole body into a tree and encoding it again for one
/// field cost as much as the rest of the request's handling. The top-level object is scanned (and so checked)
/// without building anything, and the one `"model"` value is replaced in the bytes. A body the scan does not find
/// exactly one plain `"model"` key in — two of them, a key written with escapes (which parsers read as `model`),
/// none — takes the whole decode and encode, which leaves exactly one.
enum ModelRewrite {
    static func replacing(in body: ByteBuffer, with model: String) throws(GatewayError) -> ByteBuffer {
        if let range = soleModelValue(in: body) {
            var quoted: [UInt8] = []
            quoted.reserveCapacity(model.utf8.count + 2)
            JSONText.appendQuoted(model, to: &quoted)
            let view = body.readableBytesView
            let start = view.startIndex
            var out = ByteBuffer()
            out.reserveCapacity(body.readableBytes - range.count + quoted.count)
            out.writeBytes(view[start..<start + range.lowerBound])
            out.writeBytes(quoted)
            out.writeBytes(view[(start + range.upperBound)...])
            return out
        }
        var object = try JSONValue.members(of: body)
        object["model"] = .string(model)
        return WireJSON.encode(object)
    }

    private static let key = Array("model".utf8)

    /// The byte range (in the readable bytes) of the value of the body's only top-level `model` member; nil when the
    /// body is not a valid object with exactly one such member, or has a key with escapes in it.
    private static func soleModelValue(in body: ByteBuffer) -> Range<Int>? {
        body.withUnsafeReadableBytes { bytes -> Range<Int>? in
            var scanner = JSONScanner(bytes)
            var found: Range<Int>?
            var count = 0
            var escapedKey = false
            do {
                try scanner.object { name, scanner in
                    if name.contains(UInt8(ascii: "\\")) { escapedKey = true }
                    if name.elementsEqual(key) {
                        count += 1
                        found = try scanner.valueRange()
                    } else {
                        try scanner.skipValue()
                    }
                }
                guard scanner.atEnd() else { return nil }
            } catch {
                return nil
            }
            return count == 1 && !escapedKey ? found : nil
        }
    }
}
