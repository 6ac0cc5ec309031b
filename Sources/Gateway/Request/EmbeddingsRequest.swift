import Foundation
import NIOCore
import NIOFoundationCompat

/// What the gateway needs of a `/v1/embeddings` body; the body itself is forwarded as received.
public struct EmbeddingsRequest: Sendable {
    public var model: String
    /// The inputs when given as text (used by the mock).
    public var inputs: [String]
    public var dimensions: Int?
    public var body: ByteBuffer

    public init(body: ByteBuffer) throws(GatewayError) {
        let head = try RequestDecoding.decode(Head.self, from: body)
        let model = try RequestDecoding.requireModel(head.model)
        guard let input = head.input else {
            throw GatewayError.invalidRequest(message: "Missing required parameter: 'input'.", param: "input")
        }
        switch input {
        case .text(let text): inputs = [text]
        case .texts(let texts): inputs = texts
        case .tokens(let count): inputs = Array(repeating: "", count: count)
        }
        guard !inputs.isEmpty else {
            throw GatewayError.invalidRequest(message: "'input' must not be empty.", param: "input")
        }
        try RequestLimits.check(inputs.count, in: 1...RequestLimits.maxEmbeddingInputs, param: "input")
        try RequestLimits.check(head.dimensions?.value, in: 1...RequestLimits.maxDimensions, param: "dimensions")
        self.model = model
        self.dimensions = head.dimensions?.value
        self.body = body
    }

    private enum Input: Decodable {
        case text(String)
        case texts([String])
        case tokens(Int)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else if let texts = try? container.decode([String].self) {
                self = .texts(texts)
            } else if let tokens = try? container.decode([Int].self) {
                self = .tokens(tokens.isEmpty ? 0 : 1)
            } else if let batches = try? container.decode([[Int]].self) {
                self = .tokens(batches.count)
            } else {
                throw DecodingError.typeMismatch(
                    String.self,
                    .init(codingPath: decoder.codingPath, debugDescription: "input must be a string, strings or tokens")
                )
            }
        }
    }

    private struct Head: Decodable {
        var model: String?
        var input: Input?
        var dimensions: IntegerParameter?
    }
}
