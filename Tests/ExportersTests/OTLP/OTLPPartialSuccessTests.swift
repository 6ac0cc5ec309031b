import Testing

@testable import Exporters

@Suite("OTLP partial success")
struct OTLPPartialSuccessTests {
    @Test("rejected spans are read from protobuf and JSON responses")
    func rejected() {
        var response = ProtobufWriter()
        response.message(1) { partial in
            partial.int64(1, 3)
            partial.string(2, "span too large")
        }
        #expect(OTLPPartialSuccess.rejectedSpans(in: response.bytes, format: .protobuf) == 3)
        #expect(OTLPPartialSuccess.rejectedSpans(in: [], format: .protobuf) == 0)
        let json = Array(#"{"partialSuccess":{"rejectedSpans":"5","errorMessage":"quota"}}"#.utf8)
        #expect(OTLPPartialSuccess.rejectedSpans(in: json, format: .json) == 5)
        #expect(OTLPPartialSuccess.rejectedSpans(in: Array("{}".utf8), format: .json) == 0)
    }
}
