import Synchronization
import Tracing

/// The gateway's swift-distributed-tracing `Tracer`: spans started through the standard API (by the
/// gateway or any library instrumented with swift-distributed-tracing) join the request's trace and
/// go to the same ``SpanSink`` as the gateway's own spans, with W3C `traceparent` for extract/inject.
public struct GatewayTracer: Tracer {
    public typealias Span = GatewaySpan

    private let sink: (any SpanSink)?
    private let sampler: TraceSampler

    public init(sink: (any SpanSink)?, sampler: TraceSampler = TraceSampler()) {
        self.sink = sink
        self.sampler = sampler
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> GatewaySpan {
        var spanContext = context()
        let trace: TraceContext
        if let parent = spanContext.traceContext {
            trace = parent.child()
        } else {
            var root = TraceContext.continuing(traceparent: nil)
            root.sampled = sampler.shouldSample(root)
            trace = root
        }
        spanContext.traceContext = trace
        return GatewaySpan(
            operationName: operationName,
            kind: kind,
            context: spanContext,
            trace: trace,
            startUnixNano: instant().nanosecondsSinceEpoch,
            sink: trace.sampled ? sink : nil
        )
    }

    public func forceFlush() {}

    /// Reads `traceparent`/`tracestate`; the remote span becomes the parent of spans started from `context`.
    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier), let remote = TraceContext.parse(header) else { return }
        context.traceContext = TraceContext(
            traceID: remote.traceID,
            spanID: remote.spanID,
            sampled: remote.sampled,
            traceState: extractor.extract(key: "tracestate", from: carrier)
        )
    }

    /// Writes the context's span as `traceparent` (and `tracestate`).
    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let trace = context.traceContext else { return }
        injector.inject(trace.traceparent, forKey: "traceparent", into: &carrier)
        if let state = trace.traceState, !state.isEmpty { injector.inject(state, forKey: "tracestate", into: &carrier) }
    }
}

/// The key under which a ``TraceContext`` travels in a `ServiceContext`.
public enum TraceContextKey: ServiceContextKey {
    public typealias Value = TraceContext
    public static var nameOverride: String? { "w3c-trace-context" }
}

extension ServiceContext {
    /// The W3C trace context of the current span, if any.
    public var traceContext: TraceContext? {
        get { self[TraceContextKey.self] }
        set { self[TraceContextKey.self] = newValue }
    }
}

/// A span started through ``GatewayTracer``; recorded as a ``SpanRecord`` when it ends.
public final class GatewaySpan: Tracing.Span {
    private struct State {
        var operationName: String
        var attributes = SpanAttributes()
        var events: [SpanEvent] = []
        var status: SpanRecord.Status = .unset
        var ended = false
    }

    public let context: ServiceContext
    private let kind: SpanKind
    private let trace: TraceContext
    private let startUnixNano: UInt64
    private let sink: (any SpanSink)?
    private let state: Mutex<State>

    init(operationName: String, kind: SpanKind, context: ServiceContext, trace: TraceContext, startUnixNano: UInt64, sink: (any SpanSink)?) {
        self.context = context
        self.kind = kind
        self.trace = trace
        self.startUnixNano = startUnixNano
        self.sink = sink
        self.state = Mutex(State(operationName: operationName))
    }

    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set { state.withLock { $0.operationName = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { sink != nil && !state.withLock { $0.ended } }

    public func setStatus(_ status: SpanStatus) {
        state.withLock {
            switch status.code {
            case .ok: $0.status = .ok
            case .error: $0.status = .error(status.message ?? "")
            }
        }
    }

    public func addEvent(_ event: Tracing.SpanEvent) {
        let converted = SpanEvent(name: event.name, timeUnixNano: event.nanosecondsSinceEpoch, attributes: Self.convert(event.attributes))
        state.withLock { $0.events.append(converted) }
    }

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        var eventAttributes = Self.convert(attributes)
        eventAttributes.append(.string("exception.type", String(describing: type(of: error))))
        eventAttributes.append(.string("exception.message", String(describing: error)))
        let event = SpanEvent(name: "exception", timeUnixNano: instant().nanosecondsSinceEpoch, attributes: eventAttributes)
        state.withLock { $0.events.append(event) }
    }

    public func addLink(_ link: SpanLink) {}

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let finished = state.withLock { state -> State? in
            guard !state.ended else { return nil }
            state.ended = true
            return state
        }
        guard let finished, let sink else { return }
        sink.submit(
            SpanRecord(
                traceID: trace.traceID,
                spanID: trace.spanID,
                parentSpanID: trace.parentSpanID,
                traceState: trace.traceState,
                name: finished.operationName,
                kind: Self.kind(kind),
                startTimeUnixNano: startUnixNano,
                endTimeUnixNano: instant().nanosecondsSinceEpoch,
                attributes: Self.convert(finished.attributes),
                events: finished.events,
                status: finished.status
            )
        )
    }

    private static func kind(_ kind: SpanKind) -> SpanRecord.Kind {
        switch kind {
        case .server: .server
        case .client: .client
        default: .internal
        }
    }

    /// swift-distributed-tracing attributes as OTLP-typed ones.
    static func convert(_ attributes: SpanAttributes) -> [SpanAttribute] {
        var converted: [SpanAttribute] = []
        // SpanAttributes is not a Sequence; its forEach is the only way to visit it.
        // swift-format-ignore: ReplaceForEachWithForLoop
        attributes.forEach { key, value in
            switch value {
            case .int32(let number): converted.append(.init(key, .int(Int64(number))))
            case .int64(let number): converted.append(.init(key, .int(number)))
            case .double(let number): converted.append(.init(key, .double(number)))
            case .bool(let flag): converted.append(.init(key, .bool(flag)))
            case .string(let text): converted.append(.init(key, .string(text)))
            case .stringArray(let items): converted.append(.init(key, .stringArray(items)))
            case .stringConvertible(let value): converted.append(.init(key, .string(value.description)))
            default: converted.append(.init(key, .string("\(value)")))
            }
        }
        return converted
    }
}
