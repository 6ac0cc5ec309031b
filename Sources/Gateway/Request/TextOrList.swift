/// A JSON value that is a string or a list of `Element`: OpenAI's message content (`"hi"` or typed parts), and
/// the Responses API's `input` and function-call outputs.
enum TextOrList<Element: Decodable & Sendable>: Decodable, Sendable {
    case text(String)
    case list([Element])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .list(try container.decode([Element].self))
        }
    }
}

extension TextOrList: Encodable where Element: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .list(let elements): try container.encode(elements)
        }
    }
}
