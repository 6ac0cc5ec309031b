/// What a Responses API answer repeats of its request (`instructions`, `tools`, `metadata`, sampling
/// parameters): kept from the request by ``ResponsesRequestMapping`` and written into every `response`
/// object the gateway renders for it, whole or streamed.
struct ResponsesEcho: Sendable {
    var model: String
    var instructions: String?
    var tools: [ResponsesRequestWire.Tool] = []
    var toolChoice: JSONValue = .string("auto")
    var text: ResponsesRequestWire.TextConfig = .init(format: .init(type: "text"))
    var metadata: [String: String] = [:]
    var temperature: Double?
    var topP: Double?
    var maxOutputTokens: Int?
    var parallelToolCalls = true
    var user: String?
}
