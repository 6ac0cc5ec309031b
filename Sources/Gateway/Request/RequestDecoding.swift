import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns JSONDecoder failures into 400s that name the field, as OpenAI does.
enum RequestDecoding {
    /// Decodes a request body, turning any failure into a 400 that names the field.
    /// The body must be UTF-8 (RFC 8259): invalid sequences, even inside a string, are refused.
    /// - Parameter scan: a fast reading of the usual body; where it returns nil, JSONDecoder reads the body
    ///   (and words the error, if there is one).
    static func decode<Head: Decodable>(_ type: Head.Type, from body: ByteBuffer, scan: ((ByteBuffer) -> Head?)? = nil) throws(GatewayError) -> Head {
        try requireUTF8(body)
        if let head = scan?(body) { return head }
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw describe(error)
        }
    }

    /// The request's `model`, or the 400 OpenAI gives when it is missing (or one naming what is wrong with it).
    static func requireModel(_ model: String?) throws(GatewayError) -> String {
        guard let model else {
            throw GatewayError.invalidRequest(message: "you must provide a model parameter", param: "model")
        }
        try RequestLimits.checkModelName(model)
        return model
    }

    /// Throws a 400 unless `body` is valid UTF-8 free of raw control characters (RFC 8259 allows none but
    /// tab, line feed and carriage return outside strings, and none inside). Plain ASCII text — the usual
    /// body — is checked eight bytes at a time.
    static func requireUTF8(_ body: ByteBuffer) throws(GatewayError) {
        let problem: String? = body.withUnsafeReadableBytes { bytes in
            let count = bytes.count
            var index = 0
            while index + 8 <= count {
                let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let high = word & 0x8080_8080_8080_8080
                let control = (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080
                if high | control != 0 { break }
                index += 8
            }
            var ascii = true
            for byte in bytes[index...] {
                if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return "a raw control character" }
                if byte >= 0x80 { ascii = false }
            }
            if ascii { return nil }
            return String(validating: UnsafeRawBufferPointer(rebasing: bytes[index...]), as: UTF8.self) == nil ? "invalid UTF-8" : nil
        }
        if let problem {
            throw GatewayError.invalidRequest(message: "The request body is not valid JSON text: it holds \(problem).")
        }
    }

    static func describe(_ error: any Error) -> GatewayError {
        switch error {
        case DecodingError.typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .invalidRequest(message: "Invalid type for '\(field)': expected \(describe(type)).", param: field)
        case DecodingError.keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalidRequest(message: "Missing required parameter: '\(field)'.", param: field)
        case DecodingError.valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .invalidRequest(message: "Invalid type for '\(field)': expected \(describe(type)), got null.", param: field)
        case DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty:
            let field = path(context.codingPath)
            return .invalidRequest(message: "Invalid value for '\(field)'.", param: field)
        default:
            return .invalidRequest(
                message: "We could not parse the JSON body of your request. The request body must be a valid JSON object."
            )
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}
