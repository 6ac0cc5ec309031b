import Testing

@testable import Telemetry

@Suite("W3C trace context")
struct TraceContextTests {
    @Test("a valid traceparent is continued with a new span id")
    func continues() {
        let context = TraceContext.continuing(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "a=b")
        #expect(context.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.parentSpanID == "00f067aa0ba902b7")
        #expect(context.spanID.count == 16 && context.spanID != "00f067aa0ba902b7")
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
        #expect(context.traceID.count == 32 && context.traceID != "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(TraceContext.parse(context.traceparent) != nil)
    }

    @Test("unsampled flag is kept")
    func unsampled() {
        #expect(TraceContext.continuing(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").sampled == false)
    }
}
