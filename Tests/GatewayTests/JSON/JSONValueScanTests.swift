import Foundation
import NIOCore
import Testing

@testable import Gateway

/// A JSON object read into ``JSONValue``s by the byte scan: what JSONDecoder reads, written back as the same text
/// (which is what cache keys hash); what the scan leaves, JSONDecoder still reads or refuses.
@Suite("JSON values by scan")
struct JSONValueScanTests {
    static func scanned(_ text: String) -> [String: JSONValue]? {
        JSONValue.scannedObject(ByteBuffer(string: text))
    }

    static func decoded(_ text: String) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
    }

    @Test(
        "the same members, and the same text written back, as JSONDecoder's reading",
        arguments: [
            #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"max_tokens":8,"temperature":0}"#,
            #" { "a" : [ 1 , -2 , 3.5 , -0.25e2 , 1E3 , 12345678901234567890 , 9223372036854775807 , -9223372036854775808 ] } "#,
            #"{"s":"line\nbreak \"quoted\" \\ \/ \u00e9 \ud83d\ude00 é","t":true,"f":false,"n":null,"o":{},"e":[]}"#,
            #"{"deep":{"a":{"b":[{"c":[[[{"d":"x"}]]]}]}},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}"#,
        ]
    )
    func sameAsDecoder(text: String) throws {
        let scanned = try #require(Self.scanned(text))
        let decoded = try Self.decoded(text)
        #expect(JSONValue.object(scanned).jsonText == JSONValue.object(decoded).jsonText)
        #expect(Set(scanned.keys) == Set(decoded.keys))
    }

    @Test("the text written back is compact JSON with sorted keys that reads back as the same value")
    func writtenText() throws {
        let body = #"{"z":[1,-2.5,1e3,12345678901234567890,true,null],"a":{"y":"line\nbreak \"q\" \\ / \u0001 é 😀","b":{}},"m":"x"}"#
        let value = JSONValue.object(try Self.decoded(body))
        let text = value.jsonText
        #expect(text.hasPrefix(#"{"a":{"b":{},"y":"line\nbreak \"q\" \\ / \u0001 é 😀"},"m":"x","z":[1,-2.5,1000,"#))
        let reread = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(reread.jsonText == text)
        let original = try #require(JSONSerialization.jsonObject(with: Data(body.utf8)) as? NSDictionary)
        #expect(try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary) == original)
    }

    @Test(
        "not an object, not JSON, or a key with an escape: left to JSONDecoder",
        arguments: [#"[1]"#, #""x""#, "", #"{"a":1"#, #"{"a":1} x"#, #"{"a":01}"#, #"{"a":1e999}"#, #"{"mod\u0065l":"a"}"#, #"{"a":"\ud800"}"#]
    )
    func leftToDecoder(text: String) {
        #expect(Self.scanned(text) == nil)
    }

    @Test("hostile bodies: nesting past the scanner's bound and a megabyte of members are refused or read, never a crash")
    func hostile() throws {
        let deep = #"{"a":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(Self.scanned(deep) == nil)
        #expect(throws: GatewayError.self) { try JSONValue.members(of: ByteBuffer(string: deep)) }
        let wide = "{" + (0..<50_000).map { #""k\#($0)":[\#($0),-\#($0).5,"v"]"# }.joined(separator: ",") + "}"
        #expect(Self.scanned(wide)?.count == 50_000)
    }

    @Test("a cache key is what the decoded body gave: key order, spacing and unread fields do not move it")
    func cacheKeys() throws {
        let body = #"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.5,"user":"u1"}"#
        let reordered = #"{ "user" : "u2", "temperature" : 0.5, "messages" : [ { "content" : "hi", "role" : "user" } ], "model" : "m" }"#
        let key = try #require(CacheKey.chat(ByteBuffer(string: body), client: "a"))
        #expect(CacheKey.chat(ByteBuffer(string: reordered), client: "a") == key)
        #expect(CacheKey.chat(ByteBuffer(string: body), client: "b") != key)
        #expect(CacheKey.chat(ByteBuffer(string: body.replacingOccurrences(of: "0.5", with: "0.6")), client: "a") != key)
        // An escaped key takes JSONDecoder's reading, which resolves it: the same key as the plain spelling.
        #expect(CacheKey.chat(ByteBuffer(string: body.replacingOccurrences(of: #""model""#, with: #""mod\u0065l""#)), client: "a") == key)
    }
}
