import Foundation
import NIOCore
import Testing

@testable import Gateway

/// The deployment's model put into a client's body: the plain case is a splice of the bytes, everything else reads
/// as JSONDecoder reads it after the rewrite.
@Suite("Model rewrite")
struct ModelRewriteTests {
    static func rewrite(_ body: String, _ model: String) throws -> String {
        String(buffer: try ModelRewrite.replacing(in: ByteBuffer(string: body), with: model))
    }

    /// What a JSON parser makes of the body: its members as `[String: Any]`.
    static func members(_ body: String) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(body.utf8)) as? NSDictionary)
    }

    @Test("one plain model member: only its value changes, every other byte is the client's")
    func splices() throws {
        let body = #"{ "messages" : [{"role":"user","content":"the \"model\": x","model":"inner"}], "model" : "public" ,"n":1}"#
        let out = try Self.rewrite(body, #"deploy-"1"\#u{e9}"#)
        #expect(out == #"{ "messages" : [{"role":"user","content":"the \"model\": x","model":"inner"}], "model" : "deploy-\"1\"é" ,"n":1}"#)
        #expect(try Self.members(out)["model"] as? String == #"deploy-"1"é"#)
        // Not a string before: still replaced by the string.
        #expect(try Self.rewrite(#"{"model":null}"#, "m") == #"{"model":"m"}"#)
        #expect(try Self.rewrite(#"{"model":{"a":[1,2]},"x":true}"#, "m") == #"{"model":"m","x":true}"#)
    }

    @Test(
        "two model members, an escaped key or none: the body is rebuilt with exactly one, the deployment's",
        arguments: [
            #"{"model":"a","messages":[],"model":"b"}"#,
            #"{"mod\u0065l":"a","messages":[]}"#,
            #"{"model":"a","mod\u0065l":"b"}"#,
            #"{"messages":[]}"#,
        ]
    )
    func rebuilds(body: String) throws {
        let out = try Self.rewrite(body, "deploy")
        #expect(try Self.members(out)["model"] as? String == "deploy")
        #expect(out.components(separatedBy: "\"model\"").count == 2)
        #expect(try Self.members(out)["messages"] != nil || !body.contains("messages"))
    }

    @Test(
        "a body that is not a JSON object, or nests past every reader's bound, is refused as invalid",
        arguments: [
            #"{"model":"a""#, "[1]", "", #"{"model":"a"} x"#,
            #"{"model":"a","x":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}",
        ]
    )
    func refuses(body: String) {
        #expect(throws: GatewayError.self) { try Self.rewrite(body, "deploy") }
    }
}
