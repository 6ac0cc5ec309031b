import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import Telemetry

/// Sends batches of spans to an OTLP/HTTP endpoint (`/v1/traces`): protobuf or JSON, gzip,
/// retrying only what the OTLP spec calls retryable (429, 502, 503, 504, dropped connections)
/// with exponential backoff and jitter, honouring `Retry-After`.
public struct OTLPHTTPSpanExporter: Sendable {
    let configuration: OTLPExporterConfiguration
    let encoder: OTLPTraceEncoder
    let client: HTTPClient
    let logger: Logger
    static let maxAttempts = 5

    public init(configuration: OTLPExporterConfiguration, client: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.encoder = OTLPTraceEncoder(resource: configuration.resourceAttributes, scopeName: "llm-gateway", scopeVersion: "")
        self.client = client
        self.logger = logger
    }

    /// What became of one batch.
    public enum Outcome: Sendable, Equatable {
        /// Accepted; `rejected` of them refused by the collector in a partial success.
        case delivered(rejected: Int)
        case failed
    }

    /// Delivers `spans` within `deadline`. They are encoded (and let go) off the event loops, giving way to the
    /// requests while `mayYield` (the queue behind them is not filling up).
    public func export(
        _ spans: consuming [any FinishedSpan],
        deadline: ContinuousClock.Instant,
        mayYield: @escaping @Sendable () -> Bool = { true }
    ) async -> Outcome {
        let (encoder, format, count) = (encoder, configuration.format, spans.count)
        let body = await BatchEncoding.body(of: spans, gzip: configuration.gzip, mayYield: mayYield) { spans, bytes, pause in
            encoder.encode(spans, as: format, into: &bytes, slice: BatchEncoding.sliceItems, pause: pause)
        }
        var request = HTTPClientRequest(url: configuration.endpoint)
        request.method = .POST
        request.headers.add(name: "content-type", value: configuration.format.contentType)
        for (name, value) in configuration.headers { request.headers.add(name: name, value: value) }
        if body.gzipped { request.headers.add(name: "content-encoding", value: "gzip") }
        request.body = .bytes(ByteBuffer(bytes: body.bytes))
        var backoff: Duration = .milliseconds(200)
        for attempt in 1...Self.maxAttempts {
            var retryAfter: Duration?
            do {
                let response = try await client.execute(request, timeout: .nanoseconds(configuration.timeout.nanosecondsClamped))
                let answer = (try? await response.body.collect(upTo: 1 << 20)).map { Array($0.readableBytesView) } ?? []
                let status = Int(response.status.code)
                if (200..<300).contains(status) {
                    return .delivered(rejected: OTLPPartialSuccess.rejectedSpans(in: answer, format: configuration.format))
                }
                guard [429, 502, 503, 504].contains(status) else {
                    logger.warning("span export rejected", metadata: ["status": "\(status)", "spans": "\(count)"])
                    return .failed
                }
                retryAfter = response.headers.first(name: "retry-after").flatMap(Int64.init).map { .seconds(min($0, 30)) }
            } catch {
                if Task.isCancelled { return .failed }
            }
            guard attempt < Self.maxAttempts else { break }
            let jitter = Double.random(in: 0.5...1.5)
            let wait = retryAfter ?? backoff * jitter
            guard ContinuousClock.now + wait < deadline else { break }
            try? await Task.sleep(for: wait)
            backoff *= 2
        }
        logger.warning("span export failed after retries", metadata: ["spans": "\(count)"])
        return .failed
    }
}
