import Foundation
import NIOCore
import NIOFoundationCompat

/// JSON in and out of the typed wire models: decoding an upstream's answer or event is all-or-nothing —
/// a malformed one is an ``GatewayError/invalidUpstreamResponse(_:)`` naming what was expected, never a
/// silently defaulted value.
enum WireJSON {
    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: some Collection<UInt8>, expected: String) throws(GatewayError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw .invalidUpstreamResponse("expected \(expected)")
        }
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from buffer: ByteBuffer, expected: String) throws(GatewayError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: buffer)
        } catch {
            throw .invalidUpstreamResponse("expected \(expected)")
        }
    }

    /// The JSON bytes of `value`. The wire models hold strings, numbers and ``JSONValue``s only, which
    /// always encode; the fallback is unreachable in practice and still valid JSON.
    static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return ByteBuffer(string: "{}") }
        return ByteBuffer(data: data)
    }
}
