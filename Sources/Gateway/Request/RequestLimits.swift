/// The bounds a request's numbers must keep: OpenAI's documented parameter ranges, and the ceilings the
/// gateway sets itself so that nothing a client sends reaches arithmetic or an upstream unchecked.
public struct RequestLimits: Sendable, Equatable {
    /// `server.max_output_tokens`: the largest `max_tokens` / `max_completion_tokens` accepted.
    public var maxOutputTokens = 262_144
    /// The longest model name, in bytes.
    public static let maxModelNameBytes = 256
    /// The most choices (`n`) one request may ask for; OpenAI's own limit.
    public static let maxChoices = 128
    /// The most embedding inputs in one request; OpenAI's own limit.
    public static let maxEmbeddingInputs = 2048
    /// The largest `dimensions` an embeddings request may ask for.
    public static let maxDimensions = 65_536

    public init(maxOutputTokens: Int = 262_144) {
        self.maxOutputTokens = maxOutputTokens
    }

    /// Throws a 400 naming `param` when `value` is present and outside `bounds`.
    static func check<Value: Comparable>(_ value: Value?, in bounds: ClosedRange<Value>, param: String) throws(GatewayError) {
        guard let value, !bounds.contains(value) else { return }
        throw GatewayError.invalidRequest(
            message: "Invalid '\(param)': \(value) is outside the allowed range \(bounds.lowerBound) to \(bounds.upperBound).",
            param: param
        )
    }

    /// Throws a 400 when `model` is empty, longer than ``maxModelNameBytes`` or holds control characters.
    static func checkModelName(_ model: String) throws(GatewayError) {
        let bytes = model.utf8
        guard !bytes.isEmpty else {
            throw GatewayError.invalidRequest(message: "you must provide a model parameter", param: "model")
        }
        guard bytes.count <= maxModelNameBytes else {
            throw GatewayError.invalidRequest(message: "Invalid 'model': longer than \(maxModelNameBytes) bytes.", param: "model")
        }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw GatewayError.invalidRequest(message: "Invalid 'model': control characters are not allowed.", param: "model")
        }
    }
}
