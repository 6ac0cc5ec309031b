import Foundation
import NIOCore
import NIOFoundationCompat

/// `GET /v1/models`: the configured public model names in OpenAI's list shape. Built once.
struct ModelsEndpoint: Sendable {
    private let body: ByteBuffer

    init(router: ModelRouter, created: Int = Int(Date().timeIntervalSince1970)) {
        struct Model: Encodable {
            var id: String
            var object = "model"
            var created: Int
            var owned_by: String
        }
        struct List: Encodable {
            var object = "list"
            var data: [Model]
        }
        let list = List(data: router.publicModels.map { Model(id: $0, created: created, owned_by: router.owner(of: $0) ?? "llm-gateway") })
        body = ByteBuffer(data: (try? JSONEncoder().encode(list)) ?? Data(#"{"object":"list","data":[]}"#.utf8))
    }

    func list(scope: RequestScope, writer: consuming ClientResponseWriter) async throws {
        try await ResponseWriting.json(body, extraHeaders: scope.responseHeaders(), outcome: scope.outcome, to: writer)
    }
}
