import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Telemetry

/// Ships the gateway's JSON log lines to Loki's push API (`/loki/api/v1/push`) as gzip'd JSON.
///
/// Stream labels come only from a fixed low-cardinality set (service, level, env); trace_id and
/// request_id travel as structured metadata. The buffer is bounded: when Loki is slow or down, new
/// lines are dropped and counted — logging itself never waits.
public final class LokiPushExporter: LogRecordSink, Service {
    public struct Configuration: Sendable {
        public var url: String
        public var tenantID: String?
        public var environment: String?
        public var service = "llm-gateway"
        public var maxBufferedLines = 10_000
        /// The buffer's bound in bytes, whatever the line count.
        public var maxBufferedBytes = 16 * 1024 * 1024
        public var batchSize = 1000
        public var flushInterval: Duration = .seconds(1)
        public var timeout: Duration = .seconds(10)

        public init(url: String, tenantID: String? = nil, environment: String? = nil) {
            var url = url
            while url.hasSuffix("/") { url.removeLast() }
            self.url = url.hasSuffix("/loki/api/v1/push") ? url : url + "/loki/api/v1/push"
            self.tenantID = tenantID
            self.environment = environment
        }
    }

    private let configuration: Configuration
    private let client: HTTPClient
    private let queue: ExportQueue<LogRecord>
    private let isShuttingDown = Atomic<Bool>(false)
    /// How long the final flush may take before what is left is dropped (and counted).
    static let shutdownBudget: Duration = .seconds(3)

    public init(configuration: Configuration, client: HTTPClient, metrics: MetricsRegistry) {
        self.configuration = configuration
        self.client = client
        queue = ExportQueue(
            capacity: configuration.maxBufferedLines,
            capacityBytes: configuration.maxBufferedBytes,
            size: \.estimatedBytes,
            exporter: "loki",
            signal: "logs",
            metrics: metrics
        )
    }

    public func submit(_ record: LogRecord) {
        queue.append(record)
    }

    public func run() async throws {
        // On shutdown the loop is cancelled, an in-flight push included, so a hanging Loki cannot hold
        // the process; the final flush below then gets its own bounded budget.
        await cancelWhenGracefulShutdown {
            // A cancelled sleep ends the loop: flushing in a cancelled task would only fail and drop.
            while (try? await Task.sleep(for: self.configuration.flushInterval)) != nil {
                await self.flush()
            }
        }
        isShuttingDown.store(true, ordering: .relaxed)
        await flush(until: .now + Self.shutdownBudget)
        queue.dropRemaining()
    }

    /// Pushes what is buffered, batch by batch, until the buffer is empty or `deadline` passes.
    private func flush(until deadline: ContinuousClock.Instant? = nil) async {
        while deadline.map({ ContinuousClock.now < $0 }) ?? true {
            let batch = queue.takeBatch(upTo: configuration.batchSize)
            let count = batch.count
            guard count > 0 else { return }
            let started = ContinuousClock.now
            let delivered = await push(batch, deadline: deadline)
            queue.record(count: count, elapsed: .now - started, delivered: delivered)
        }
    }

    private func push(_ batch: consuming [LogRecord], deadline: ContinuousClock.Instant?) async -> Bool {
        let (service, environment) = (configuration.service, configuration.environment)
        let queue = self.queue
        let body = await BatchEncoding.body(
            of: batch,
            gzip: true,
            mayYield: { !queue.isFillingUp },
            { records, bytes, _ in bytes = LokiPushBody.json(records, service: service, environment: environment) }
        )
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let tenant = configuration.tenantID { request.headers.add(name: "x-scope-orgid", value: tenant) }
        if body.gzipped { request.headers.add(name: "content-encoding", value: "gzip") }
        request.body = .bytes(ByteBuffer(bytes: body.bytes))
        var backoff: Duration = .milliseconds(250)
        // At shutdown one attempt per batch: a Loki that is down must not hold the process.
        let attempts = isShuttingDown.load(ordering: .relaxed) ? 1 : 3
        for attempt in 1...attempts {
            do {
                var timeout = configuration.timeout
                if let deadline { timeout = min(timeout, max(.milliseconds(1), deadline - .now)) }
                let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanosecondsClamped))
                _ = try? await response.body.collect(upTo: 1 << 16)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return true }
                // Loki answers 4xx for lines it will never take (too old, too long): retrying cannot help.
                guard status == 429 || status >= 500 else { return false }
            } catch {
                if Task.isCancelled { return false }
            }
            if attempt < attempts && !isShuttingDown.load(ordering: .relaxed) {
                try? await Task.sleep(for: backoff)
                backoff *= 2
            } else {
                break
            }
        }
        return false
    }
}

/// Loki's push JSON: one stream per label set, values `[ "<ns>", "<line>", {structured metadata} ]`.
enum LokiPushBody {
    static func json(_ records: [LogRecord], service: String, environment: String?) -> [UInt8] {
        var byLevel: [String: [LogRecord]] = [:]
        for record in records { byLevel[record.level, default: []].append(record) }
        var out = Array(#"{"streams":["#.utf8)
        for (index, level) in byLevel.keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(#"{"stream":{"service":"#.utf8)
            JSONText.appendQuoted(service, to: &out)
            out += Array(#","level":"#.utf8)
            JSONText.appendQuoted(level, to: &out)
            if let environment {
                out += Array(#","env":"#.utf8)
                JSONText.appendQuoted(environment, to: &out)
            }
            out += Array(#"},"values":["#.utf8)
            for (position, record) in (byLevel[level] ?? []).enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                JSONText.appendQuoted(String(record.timeUnixNano), to: &out)
                out.append(UInt8(ascii: ","))
                JSONText.appendQuoted(record.line, to: &out)
                var metadata: [(String, String)] = []
                if let trace = record.traceID { metadata.append(("trace_id", trace)) }
                if let request = record.requestID { metadata.append(("request_id", request)) }
                if !metadata.isEmpty {
                    out += Array(",{".utf8)
                    for (offset, (key, value)) in metadata.enumerated() {
                        if offset > 0 { out.append(UInt8(ascii: ",")) }
                        JSONText.appendQuoted(key, to: &out)
                        out.append(UInt8(ascii: ":"))
                        JSONText.appendQuoted(value, to: &out)
                    }
                    out.append(UInt8(ascii: "}"))
                }
                out.append(UInt8(ascii: "]"))
            }
            out += Array("]}".utf8)
        }
        out += Array("]}".utf8)
        return out
    }
}
