import Synchronization
import Testing
import Tracing

@testable import Telemetry

@Suite("The swift-distributed-tracing Tracer")
struct GatewayTracerTests {
    final class CollectingSink: SpanSink {
        let spans = Mutex<[SpanRecord]>([])
        func submit(_ span: any FinishedSpan) {
            let records = SpanRecord.records(of: span)
            spans.withLock { $0.append(contentsOf: records) }
        }
    }

    struct DictionaryExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }

    struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }

    @Test("extracted traceparent parents spans; withSpan nests; inject writes the current span")
    func propagation() async throws {
        let sink = CollectingSink()
        let tracer = GatewayTracer(sink: sink)
        var context = ServiceContext.topLevel
        tracer.extract(["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"], into: &context, using: DictionaryExtractor())
        var injected: [String: String] = [:]
        tracer.withSpan("outer", context: context, ofKind: .server) { outer in
            outer.attributes["http.request.method"] = "POST"
            tracer.withSpan("inner", context: outer.context, ofKind: .client) { inner in
                inner.attributes["gen_ai.usage.input_tokens"] = 12
                inner.addEvent("first_token")
                tracer.inject(inner.context, into: &injected, using: DictionaryInjector())
                inner.setStatus(.init(code: .error, message: "upstream timeout"))
            }
        }
        let spans = sink.spans.withLock { $0 }
        #expect(spans.map(\.name) == ["inner", "outer"])
        let inner = spans[0]
        let outer = spans[1]
        #expect(outer.traceID.description == "4bf92f3577b34da6a3ce929d0e0e4736" && outer.parentSpanID?.description == "00f067aa0ba902b7")
        #expect(outer.kind == .server && inner.kind == .client)
        #expect(inner.parentSpanID == outer.spanID && inner.traceID == outer.traceID)
        #expect(inner.attributes.contains(.init("gen_ai.usage.input_tokens", .int(12))))
        #expect(outer.attributes.contains(.string("http.request.method", "POST")))
        #expect(inner.events.map(\.name) == ["first_token"])
        #expect(inner.status == .error("upstream timeout"))
        #expect(injected["traceparent"] == "00-\(inner.traceID)-\(inner.spanID)-01")
        #expect(inner.endTimeUnixNano >= inner.startTimeUnixNano)
    }

    @Test("an unsampled parent records nothing")
    func unsampled() {
        let sink = CollectingSink()
        let tracer = GatewayTracer(sink: sink)
        var context = ServiceContext.topLevel
        tracer.extract(["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"], into: &context, using: DictionaryExtractor())
        tracer.withSpan("quiet", context: context) { span in
            #expect(!span.isRecording)
        }
        #expect(sink.spans.withLock { $0 }.isEmpty)
    }
}
