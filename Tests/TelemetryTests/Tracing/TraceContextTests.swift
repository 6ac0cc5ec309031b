import Testing

@testable import Telemetry

@Suite("W3C trace context")
struct TraceContextTests {
    @Test("a valid traceparent is continued with a new span id")
    func continues() {
        let context = TraceContext.continuing(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "a=b")
        #expect(context.traceID.description == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.parentSpanID?.description == "00f067aa0ba902b7")
        #expect(context.spanID.description.count == 16 && context.spanID.description != "00f067aa0ba902b7")
        #expect(context.sampled)
        #expect(context.traceState == "a=b")
        #expect(context.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(context.spanID)-01")
    }

    @Test(
        "invalid headers start a new trace",
        arguments: [
            nil, "", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ]
    )
    func restarts(header: String?) {
        let context = TraceContext.continuing(traceparent: header)
        #expect(context.parentSpanID == nil)
        #expect(context.traceID.description.count == 32 && context.traceID.description != "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(TraceContext.parse(context.traceparent) != nil)
    }

    @Test("ids read and write their hex: leading zeros kept, high and low halves in order, zero and uppercase refused")
    func hexForms() {
        let trace = TraceID(hex: "000000000000000100000000000000ff")
        #expect(trace?.high == 1 && trace?.low == 0xff)
        #expect(trace?.description == "000000000000000100000000000000ff")
        var bytes: [UInt8] = []
        trace?.appendHex(to: &bytes)
        SpanID(0x00f0_67aa_0ba9_02b7).appendHex(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "000000000000000100000000000000ff00f067aa0ba902b7")
        #expect(SpanID(hex: "00f067aa0ba902b7")?.value == 0x00f0_67aa_0ba9_02b7)
        #expect(TraceID(hex: String(repeating: "0", count: 32)) == nil && SpanID(hex: String(repeating: "0", count: 16)) == nil)
        #expect(TraceID(hex: "4BF92F3577B34DA6A3CE929D0E0E4736") == nil && SpanID(hex: "00f067aa0ba902b") == nil)
        #expect(SpanID(hex: "00f067aa0ba902bg") == nil && TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e47361") == nil)
    }

    @Test("unsampled flag is kept")
    func unsampled() {
        #expect(TraceContext.continuing(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").sampled == false)
    }
}
