import Foundation
import NIOCore
import Testing

@testable import Gateway

/// The chat request's fast reading (a byte scan) against JSONDecoder's: what the scan takes, it reads as
/// JSONDecoder does; what it leaves, JSONDecoder still reads and words.
@Suite("Chat request scan")
struct ChatRequestScanTests {
    typealias Head = ChatCompletionRequest.Head

    /// Everything the gateway reads of a head, in a comparable form.
    static func reading(_ head: Head) -> String {
        let messages = (head.messages ?? []).map { "\($0.role)=\($0.text)" }
        let fields: [Any?] = [
            head.model, head.messages == nil ? nil : messages, head.stream, head.stream_options?.include_usage, head.max_tokens?.value,
            head.max_completion_tokens?.value, head.temperature, head.top_p, head.n?.value, head.presence_penalty, head.frequency_penalty,
            head.top_logprobs?.value, head.logit_bias.map { $0.values.sorted() }, head.stop?.count,
        ]
        return fields.map { $0.map { "\($0)" } ?? "nil" }.joined(separator: "|")
    }

    static let bodies = [
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#,
        #"{"model":"m","stream":true,"stream_options":{"include_usage":true},"max_tokens":10,"temperature":0.5,"top_p":1,"n":2,"#
            + #""presence_penalty":-1.5,"frequency_penalty":0,"top_logprobs":3,"logit_bias":{"50256":-100,"1":2.5},"stop":["a","b"],"#
            + #""messages":[{"role":"system","content":"line\nbreak \"quoted\" \u00e9 \ud83d\ude00"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"b"}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"r"}],"#
            + #""tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}],"user":"u","seed":7}"#,
        #"{"model":null,"messages":null,"stream":null,"stop":"x","max_completion_tokens":5}"#,
        #" { "messages" : [ { "content" : "x" , "role" : "developer" } ] , "model" : "m" } "#,
    ]

    @Test("the usual bodies are read by the scan, exactly as JSONDecoder reads them")
    func usual() throws {
        for body in Self.bodies {
            let buffer = ByteBuffer(string: body)
            let scanned = try #require(Head.scan(buffer), "\(body)")
            let decoded = try JSONDecoder().decode(Head.self, from: buffer)
            #expect(Self.reading(scanned) == Self.reading(decoded))
        }
    }

    @Test("what the scan leaves to JSONDecoder: wrong types, plain-looking numbers that are not, escaped or repeated names")
    func leftToTheDecoder() {
        let bodies = [
            #"{"model":1,"messages":[]}"#, #"{"model":"m","messages":"x"}"#, #"{"model":"m","messages":[{"content":"x"}]}"#,
            #"{"model":"m","messages":[{"role":"user","content":1}]}"#, #"{"model":"m","n":1.0}"#, #"{"model":"m","n":1e2}"#,
            #"{"model":"m","max_tokens":99999999999999999999}"#, #"{"model":"m","temperature":1e400}"#, #"{"mod\u0065l":"m"}"#,
            #"{"model":"m","model":"n"}"#, #"{"model":"\ud800"}"#, #"{"model":"m","stream":"yes"}"#, #"{"model":"m","stop":[1]}"#,
            #"{"model":"m","logit_bias":{"1":null}}"#, #"[1]"#, #"{"model":"m"} x"#, #"{"model":"m","n":01}"#,
        ]
        for body in bodies {
            #expect(Head.scan(ByteBuffer(string: body)) == nil, "\(body)")
        }
    }

    @Test("differential: whatever the scan reads from mutated bodies, JSONDecoder reads the same")
    func differential() async throws {
        let (taken, mismatches) = try await FuzzTests.offThePool { () -> (Int, [String]) in
            var taken = 0
            var mismatches: [String] = []
            FuzzTests.fuzz(Self.bodies, seed: 11) { chunks in
                let body = FuzzTests.whole(chunks)
                guard (try? RequestDecoding.requireUTF8(body)) != nil, let scanned = Head.scan(body) else { return }
                taken += 1
                let decoded = try? JSONDecoder().decode(Head.self, from: body)
                if decoded.map(Self.reading) != Self.reading(scanned) { mismatches.append(String(buffer: body)) }
            }
            return (taken, mismatches)
        }
        #expect(mismatches == [])
        #expect(taken > 0)
    }
}
