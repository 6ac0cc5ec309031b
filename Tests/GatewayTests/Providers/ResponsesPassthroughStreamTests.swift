import NIOCore
import Testing

@testable import Gateway

@Suite("Responses API streams passed through")
struct ResponsesPassthroughStreamTests {
    static let recorded = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_up1","model":"gpt-4o","status":"in_progress","usage":null}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}

        event: response.completed
        data: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_up1","model":"gpt-4o","status":"completed","usage":{"input_tokens":9,"input_tokens_details":{"cached_tokens":3},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":1},"total_tokens":11}}}


        """

    static func relay(_ pieces: [ByteBuffer], into summary: StreamSummary) async throws -> String {
        var relayed = ""
        for try await chunk in CheckedResponsesStream(base: UpstreamBody(pieces.async), summary: summary) { relayed += String(buffer: chunk) }
        return relayed
    }

    @Test("bytes pass untouched and the id, model and usage are read, wherever the chunks split")
    func everySplit() async throws {
        let bytes = Array(Self.recorded.utf8)
        for split in 1..<bytes.count {
            let summary = StreamSummary()
            let relayed = try await Self.relay([ByteBuffer(bytes: bytes[..<split]), ByteBuffer(bytes: bytes[split...])], into: summary)
            #expect(relayed == Self.recorded, "split at \(split)")
            let seen = summary.value
            #expect(seen.id == "resp_up1" && seen.model == "gpt-4o" && seen.finishReasons == ["stop"], "split at \(split)")
            #expect(seen.usage == TokenUsage(promptTokens: 9, completionTokens: 2, cacheReadTokens: 3, reasoningTokens: 1), "split at \(split)")
        }
    }

    @Test("the id is known once the first event is read; a stream that stops before its end is an error; a failed one is")
    func earlyIDAndEndings() async throws {
        let summary = StreamSummary()
        var events = CheckedResponsesStream(base: UpstreamBody([ByteBuffer(string: Self.recorded)].async), summary: summary).makeAsyncIterator()
        _ = try await events.next()
        #expect(summary.value.id == "resp_up1")

        let truncated = String(Self.recorded.prefix(upTo: Self.recorded.range(of: "event: response.completed")!.lowerBound))
        await #expect(throws: GatewayError.self) { _ = try await Self.relay([ByteBuffer(string: truncated)], into: StreamSummary()) }

        let failed =
            truncated + """
                event: response.failed
                data: {"type":"response.failed","sequence_number":2,"response":{"id":"resp_up1","status":"failed","error":{"code":"server_error","message":"boom"}}}


                """
        let failedSummary = StreamSummary()
        #expect(try await Self.relay([ByteBuffer(string: failed)], into: failedSummary) == failed, "relayed as the provider sent it")
        #expect(failedSummary.value.streamError != nil)

        let garbled = truncated + "event: response.completed\ndata: {\"response\": 3}\n\n"
        await #expect(throws: GatewayError.self) { _ = try await Self.relay([ByteBuffer(string: garbled)], into: StreamSummary()) }
    }
}

@Suite("Responses API answers passed through: hostile bodies")
struct ResponsesAnswerWireTests {
    static func summary(_ json: String) throws(GatewayError) -> ResponseSummary {
        try WireJSON.decode(ResponsesAnswerWire.self, from: ByteBuffer(string: json), expected: "a Responses API response").summary
    }

    @Test("counts from the provider are clamped, wrong types and malformed JSON are upstream_invalid_response")
    func hostile() throws {
        let huge = try Self.summary(
            #"{"id":"r","status":"completed","usage":{"input_tokens":9223372036854775807,"output_tokens":-5,"input_tokens_details":{"cached_tokens":9223372036854775807}}}"#
        )
        #expect(huge.usage?.promptTokens == TokenUsage.maximumCount && huge.usage?.completionTokens == 0)
        #expect(huge.usage?.cacheReadTokens == TokenUsage.maximumCount, "a breakdown never exceeds its total")
        #expect(try Self.summary(#"{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}"#).finishReasons == ["length"])
        for body in [#"{"usage":{"input_tokens":"ten"}}"#, #"{"id":7}"#, "[]", #"{"id":"r""#, "", String(repeating: "[", count: 100_000)] {
            #expect(throws: GatewayError.invalidUpstreamResponse("expected a Responses API response")) { try Self.summary(body) }
        }
    }
}
