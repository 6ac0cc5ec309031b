/// Which traces are recorded, from `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`:
/// `parentbased_always_on` (default), `parentbased_traceidratio`, `always_on`, `always_off`, `traceidratio`.
public struct TraceSampler: Sendable, Equatable {
    public enum Root: Sendable, Equatable {
        case always
        case never
        case ratio(Double)
    }

    public var root: Root
    /// Follow the caller's sampled flag when a valid `traceparent` came in.
    public var parentBased: Bool

    public init(root: Root = .always, parentBased: Bool = true) {
        self.root = root
        self.parentBased = parentBased
    }

    public static func fromEnvironment(_ environment: [String: String]) -> TraceSampler {
        let ratio = environment["OTEL_TRACES_SAMPLER_ARG"].flatMap(Double.init).map { min(max($0, 0), 1) } ?? 1
        switch environment["OTEL_TRACES_SAMPLER"]?.lowercased() {
        case "always_on": return TraceSampler(root: .always, parentBased: false)
        case "always_off": return TraceSampler(root: .never, parentBased: false)
        case "traceidratio": return TraceSampler(root: .ratio(ratio), parentBased: false)
        case "parentbased_always_off": return TraceSampler(root: .never)
        case "parentbased_traceidratio": return TraceSampler(root: .ratio(ratio))
        default: return TraceSampler()
        }
    }

    /// Whether a request with this context is recorded.
    public func shouldSample(_ context: TraceContext) -> Bool {
        if parentBased, context.parentSpanID != nil { return context.sampled }
        switch root {
        case .always: return true
        case .never: return false
        case .ratio(let ratio):
            // The spec's approach: compare the trace id's low 8 bytes against the ratio's bound.
            let low = context.traceID.low
            return Double(low >> 1) < ratio * Double(UInt64.max >> 1)
        }
    }
}
