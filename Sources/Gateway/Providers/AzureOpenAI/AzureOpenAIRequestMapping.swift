import NIOHTTP1

/// Azure OpenAI's URL scheme: `{base}/openai/deployments/{deployment}/{operation}?api-version=…`,
/// with the key in an `api-key` header; the Responses API is on Azure's OpenAI-compatible v1 surface,
/// `{base}/openai/v1/responses`, with the deployment as the body's `model`. Bodies and answers are OpenAI's,
/// so the OpenAI response mapping and stream decoder serve Azure unchanged.
struct AzureOpenAIEndpoint: OpenAIEndpoint {
    /// A GA version of the Azure OpenAI data-plane API.
    static let defaultAPIVersion = "2024-10-21"
    let baseURL: String
    let apiKey: String?
    let apiVersion: String

    init(baseURL: String, apiKey: String?, apiVersion: String?) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
        self.apiVersion = apiVersion ?? Self.defaultAPIVersion
    }

    /// `model` is the Azure deployment name.
    func url(for operation: OpenAIOperation, model: String) -> String {
        if operation == .responses { return "\(baseURL)/openai/v1/responses" }
        let deployment = model.addingPercentEncodingForPath()
        return "\(baseURL)/openai/deployments/\(deployment)/\(operation.rawValue)?api-version=\(apiVersion)"
    }

    /// Azure's data-plane "Models - List".
    var modelsURL: String { "\(baseURL)/openai/models?api-version=\(apiVersion)" }

    func authorize(_ headers: inout HTTPHeaders) {
        if let apiKey, !apiKey.isEmpty {
            headers.add(name: "api-key", value: apiKey)
        }
    }
}

extension String {
    /// Percent-encodes everything but unreserved characters, for use as one path segment.
    func addingPercentEncodingForPath() -> String {
        var result = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.append(Character(Unicode.Scalar(byte)))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
