import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Testing

@testable import Gateway

/// What clients and upstreams send that used to crash, stall or leak: numbers at their edges, bad UTF-8,
/// unsafe model names, absurd Retry-After, upstream credentials errors, NUL bytes to Redis.
@Suite("Hostile input")
struct HostileInputTests {
    static func chat(_ extra: String, model: String = "mock-gpt") -> ByteBuffer {
        ByteBuffer(string: #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}]\#(extra)}"#)
    }

    static func param(_ body: ByteBuffer) -> String? {
        do {
            _ = try ChatCompletionRequest(body: body)
            return "accepted"
        } catch {
            return error.status == 400 ? error.param : "status \(error.status)"
        }
    }

    @Test(
        "every numeric parameter is checked against its documented range, naming the parameter",
        arguments: [
            (#","max_tokens":9223372036854775807"#, "max_tokens"), (#","max_tokens":0"#, "max_tokens"),
            (#","max_completion_tokens":-1"#, "max_completion_tokens"), (#","max_tokens":99999999999999999999"#, "max_tokens"),
            (#","temperature":9"#, "temperature"), (#","temperature":-0.1"#, "temperature"), (#","top_p":1.5"#, "top_p"),
            (#","n":100000"#, "n"), (#","n":0"#, "n"), (#","presence_penalty":2.5"#, "presence_penalty"),
            (#","frequency_penalty":-3"#, "frequency_penalty"), (#","top_logprobs":21"#, "top_logprobs"),
            (#","logit_bias":{"50256":-101}"#, "logit_bias"), (#","stop":["a","b","c","d","e"]"#, "stop"),
            (#","max_tokens":1.5"#, "max_tokens"),
        ]
    )
    func ranges(extra: String, param: String) {
        #expect(Self.param(Self.chat(extra)) == param)
    }

    @Test("values inside the ranges are accepted")
    func inRange() {
        let extra = #","max_tokens":262144,"temperature":2,"top_p":0,"n":128,"presence_penalty":-2,"stop":"x","logit_bias":{"1":100}"#
        #expect(Self.param(Self.chat(extra)) == "accepted")
        #expect(Self.param(Self.chat(#","max_tokens":262145"#)) == "max_tokens", "the configured ceiling")
        #expect((try? ChatCompletionRequest(body: Self.chat(#","max_tokens":262145"#), limits: RequestLimits(maxOutputTokens: 300_000))) != nil)
    }

    @Test("token estimates saturate instead of trapping")
    func saturation() throws {
        let huge = try ChatCompletionRequest(body: Self.chat(#","max_tokens":9223372036854775807"#), limits: RequestLimits(maxOutputTokens: .max))
        #expect(huge.maxTokens == .max)
        #expect(TokenEstimate.chat(huge) == .max)
        #expect(Int.max.addingSaturated(1) == .max && Int.min.addingSaturated(-1) == .min)
        #expect(Int.max.multipliedSaturated(by: 3) == .max && Int.min.multipliedSaturated(by: 2) == .min)
        #expect(Int(clamping: 1e300, to: 0...10) == 10 && Int(clamping: -.infinity, to: 0...10) == 0 && Int(clamping: .nan, to: 0...10) == 0)
        #expect(TokenUsage(promptTokens: .max, completionTokens: .max).totalTokens == 2 * TokenUsage.maximumCount)
        #expect(TokenUsage(promptTokens: -5, completionTokens: 3).totalTokens == 3)
    }

    @Test("Retry-After of any size is clamped before conversion", arguments: ["1e300", "inf", "999999999999999999999", "86401", "nan"])
    func retryAfter(value: String) {
        let error = GatewayError.upstreamStatus(status: 429, message: "m", type: nil, code: nil, retryAfter: value)
        let wait = UpstreamAttempts.retryAfter(of: error)
        #expect(wait == nil || wait! <= .seconds(UpstreamAttempts.retryAfterCeiling))
    }

    @Test("invalid UTF-8 anywhere in a body is a 400; valid multi-byte text is not")
    func utf8() {
        var bad = ByteBuffer(string: #"{"model":"mock-gpt","messages":[{"role":"user","content":"a"#)
        bad.writeBytes([0xC3, 0x28, 0xFF])
        bad.writeString(#""}]}"#)
        #expect(Self.param(bad) == nil)
        #expect(throws: GatewayError.self) { try EmbeddingsRequest(body: bad) }
        #expect(throws: GatewayError.self) { try MessagesRequestMapping.openAIBody(from: bad) }
        let good = ByteBuffer(string: #"{"model":"mock-gpt","messages":[{"role":"user","content":"größe 日本 🙂"}]}"#)
        #expect(Self.param(good) == "accepted")
    }

    @Test(
        "model names: too long, control characters, unsafe path segments",
        arguments: [
            String(repeating: "m", count: 257), #"mock\u0001gpt"#, "",
        ]
    )
    func modelNames(model: String) {
        #expect(Self.param(Self.chat("", model: model)) == "model")
    }

    @Test("a client-chosen upstream model cannot walk a provider's URL")
    func pathSegments() {
        for model in ["..", ".", "a/../b", "a//b", "x?y", "x#y", "a\\b"] {
            #expect(throws: GatewayError.self, "\(model)") { try ModelRouter.checkPathSafe(model) }
        }
        for model in ["meta-llama/Llama-3.1-8B-Instruct", "anthropic.claude-3-5-sonnet-20240620-v1:0", "gpt-4o"] {
            #expect(throws: Never.self) { try ModelRouter.checkPathSafe(model) }
        }
    }

    @Test("embeddings and /v1/messages bound their numbers too")
    func otherEndpoints() {
        #expect(throws: GatewayError.self) { try EmbeddingsRequest(body: ByteBuffer(string: #"{"model":"m","input":"x","dimensions":0}"#)) }
        #expect(throws: GatewayError.self) { try EmbeddingsRequest(body: ByteBuffer(string: #"{"model":"m","input":"x","dimensions":9999999}"#)) }
        let many = "[" + Array(repeating: #""x""#, count: 2049).joined(separator: ",") + "]"
        #expect(throws: GatewayError.self) { try EmbeddingsRequest(body: ByteBuffer(string: #"{"model":"m","input":\#(many)}"#)) }
        let messages = #""messages":[{"role":"user","content":"hi"}]"#
        for extra in [#""temperature":1.5"#, #""top_p":-1"#, #""top_k":-1"#] {
            let body = ByteBuffer(string: #"{"model":"m","max_tokens":10,\#(messages),\#(extra)}"#)
            #expect(throws: GatewayError.self, "\(extra)") { try MessagesRequestMapping.openAIBody(from: body) }
        }
        let huge = try? MessagesRequestMapping.openAIBody(from: ByteBuffer(string: #"{"model":"m","max_tokens":9223372036854775807,\#(messages)}"#))
        #expect(huge.map { Self.param($0) } == "max_tokens")
    }

    @Test("message content of another type is a 400 naming it, not silently empty")
    func contentType() {
        let body = ByteBuffer(string: #"{"model":"mock-gpt","messages":[{"role":"user","content":5}]}"#)
        #expect(Self.param(body) == "messages[0].content")
        let null = ByteBuffer(string: #"{"model":"mock-gpt","messages":[{"role":"assistant","content":null},{"role":"user","content":"x"}]}"#)
        #expect(Self.param(null) == "accepted")
    }

    @Test("deep nesting is refused or read, never a crash")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(Self.param(ByteBuffer(string: #"{"model":"mock-gpt","messages":[{"role":"user","content":\#(deep)}]}"#)) != "accepted")
        #expect(Self.param(ByteBuffer(string: deep)) == nil)
        // A number no double holds is unreadable JSON: a 400 (without a parameter name), not infinity.
        #expect(Self.param(Self.chat(#","temperature":1e400"#)) == nil)
    }

    @Test("upstream 401/403 become 502 upstream_auth_error without the upstream's text; 5xx texts stay in the logs")
    func upstreamErrors() {
        let body = ByteBuffer(
            string:
                #"{"error":{"message":"Incorrect API key provided: sk-proj-abcdef1234567890abcdef","type":"invalid_request_error","code":"invalid_api_key"}}"#
        )
        for status in [401, 403] {
            let error = UpstreamErrors.from(status: status, body: body, retryAfter: nil)
            #expect(error.status == 502 && error.code == "upstream_auth_error")
            #expect(!error.message.contains("sk-") && error.logDetail.contains("Incorrect API key"))
            #expect(OpenAIErrorBody(error, requestID: "req-1").error.message.hasSuffix("Request id: req-1."))
        }
        let server = UpstreamErrors.from(status: 503, body: ByteBuffer(string: #"{"error":{"message":"pod 10.0.3.7 down"}}"#), retryAfter: nil)
        #expect(server.status == 503 && !server.message.contains("10.0.3.7") && server.logDetail.contains("10.0.3.7"))
        let client = UpstreamErrors.from(
            status: 400,
            body: ByteBuffer(string: #"{"error":{"message":"bad key sk-abcdefghijklmnopqrstuv here"}}"#),
            retryAfter: nil
        )
        #expect(client.status == 400 && client.message.contains("[REDACTED:api_key]"))
        let long = UpstreamErrors.from(
            status: 400,
            body: ByteBuffer(string: #"{"message":"\#(String(repeating: "z", count: 100_000))"}"#),
            retryAfter: nil
        )
        #expect(long.message.utf8.count <= UpstreamErrors.maxMessageBytes + 3)
        let unreachable = GatewayError.upstreamUnreachable("Connection refused (errno: 111) 10.1.2.3:8443")
        #expect(!unreachable.message.contains("10.1.2.3") && unreachable.logDetail.contains("10.1.2.3"))
        #expect(unreachable.message(provider: "openai") == "The upstream provider 'openai' could not be reached.")
    }

    @Test("Redis commands carry NUL bytes and empty arguments whole")
    func respNul() throws {
        let command = RESPCommand.encode(["SET", "k\u{0}ey", "", "va\u{0}lue"])
        let expected = "*4\r\n$3\r\nSET\r\n$4\r\nk\u{0}ey\r\n$0\r\n\r\n$6\r\nva\u{0}lue\r\n"
        #expect(Array(command.readableBytesView) == Array(expected.utf8))
    }
}
