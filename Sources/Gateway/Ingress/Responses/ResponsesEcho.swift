import NIOCore

/// What a Responses API answer repeats of its request (`instructions`, `tools`, `metadata`, sampling
/// parameters), the response's id, and where it is stored: kept from the request by
/// ``ResponsesRequestMapping`` and used by every `response` object the gateway renders for it, whole or
/// streamed.
struct ResponsesEcho: Sendable {
    var model: String
    /// `resp_` and 32 hex digits, fresh for every request (upstream ids need not be unique across providers).
    var id = ResponsesEcho.newID()
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
    var previousResponseID: String?
    /// Where the answer is stored (`store`, the default); nil when the client said `store: false`.
    var store: ResponseStateStore?
    /// The client key's name (`anonymous` with auth off): stored responses belong to it.
    var client = ClientKeys.anonymous
    /// The conversation up to this request's input, as chat messages (without the instructions).
    var conversation: [ChatRequestWire.Message] = []
    /// The request as the client sent it, for deployments that serve the Responses API themselves; nil when
    /// the conversation it continues is the gateway's (then every deployment gets it translated).
    var original: ByteBuffer?
    /// `provider/model` of the deployment holding the response `previous_response_id` names: the request goes
    /// there only.
    var pinnedRoute: String?

    /// The suffix after `resp_`, shared by the message item's id (`msg_…`).
    var idSuffix: Substring { id.dropFirst("resp_".count) }

    static func newID() -> String {
        "resp_"
            + (0..<2).map { _ in
                let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
                return String(repeating: "0", count: 16 - hex.count) + hex
            }.joined()
    }

    /// Remembers that the deployment `route` holds the response `id` it answered with (passed through), when
    /// the request asked for storing: the client's next request continues it there, and `GET`/`DELETE` go there.
    func rememberDeployment(id: String?, route: Route) async {
        guard let store, let id else { return }
        await store.save(.init(response: "", conversation: [], deployment: "\(route.provider.name)/\(route.model)"), id: id, client: client)
    }

    /// Stores `response` (as rendered) with the conversation it ends, when the request asked for storing.
    func remember(_ response: ResponsesWire.Response, rendered: String) async {
        guard let store, response.status != "failed" else { return }
        var conversation = self.conversation
        if let turn = ResponsesResponseMapping.assistantTurn(response.output) { conversation.append(turn) }
        await store.save(ResponseStateStore.Record(response: rendered, conversation: conversation), id: id, client: client)
    }
}
