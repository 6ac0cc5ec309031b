import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns JSONDecoder failures into 400s that name the field, as OpenAI does.
enum RequestDecoding {
    /// Decodes a request body, turning any failure into a 400 that names the field.
    static func decode<Head: Decodable>(_ type: Head.Type, from body: ByteBuffer) throws(GatewayError) -> Head {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw describe(error)
        }
    }

    /// The request's `model`, or the 400 OpenAI gives when it is missing.
    static func requireModel(_ model: String?) throws(GatewayError) -> String {
        guard let model else {
            throw GatewayError.invalidRequest(message: "you must provide a model parameter", param: "model")
        }
        return model
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
