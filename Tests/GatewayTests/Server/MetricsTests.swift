import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Telemetry
import Testing

@testable import Gateway

@Suite("Metrics scraped from the real server")
struct MetricsTests {
    /// The value of the sample `series` (name and labels exactly as exposed), if present.
    static func value(_ scrape: String, _ series: String) -> Double? {
        for line in scrape.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1).split(separator: " ")[0])
        }
        return nil
    }

    static func trafficConfig(upstream: String) -> GatewayConfig {
        // Long enough for the 429 and the 500 under a loaded parallel suite (at 0.5 s a slow 429 was once a
        // timeout), short of the 5 s the last upstream request takes.
        var config = GatewayConfig.withUpstream(upstream, timeoutSeconds: 2)
        config.auth = AuthConfig(apiKeys: [ClientKey(name: "metrics-test", key: "sk-gw-metrics")])
        return config
    }

    @Test("a traffic mix shows in every family with the expected labels and values")
    func trafficMix() async throws {
        let upstream = try await TestUpstream.start { request, body, writer in
            let text = String(buffer: body)
            if text.contains("rate-me") {
                try await OpenAIWire.error(
                    status: 429,
                    message: "slow down",
                    type: "requests",
                    code: "rate_limit_exceeded",
                    retryAfter: "0",
                    to: writer
                )
            } else if text.contains("break-me") {
                try await OpenAIWire.error(status: 500, message: "boom", type: "server_error", code: nil, to: writer)
            } else {
                try await Task.sleep(for: .seconds(5))
                try await OpenAIWire.json(OpenAIWire.completion(model: "x", content: "late"), to: writer)
            }
        }
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with(Self.trafficConfig(upstream: upstream.baseURL)) { gateway in
            let key = [("authorization", "Bearer sk-gw-metrics")]
            let traceparent = ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            #expect(
                try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-gpt", stream: true), headers: key).status
                    == 200
            )
            #expect(try await gateway.post("/v1/embeddings", json: #"{"model":"mock-gpt","input":"hi"}"#, headers: key).status == 200)
            #expect(try await gateway.post("/v1/chat/completions", json: "{", headers: key).status == 400)
            #expect(try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-gpt")).status == 401)
            #expect(try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "nope"), headers: key).status == 404)
            let rate = GatewayHarness.chatBody(model: "upstream/gpt-x", extra: #","user":"rate-me""#)
            #expect(try await gateway.post("/v1/chat/completions", json: rate, headers: key).status == 429)
            let broken = GatewayHarness.chatBody(model: "upstream/gpt-x", extra: #","user":"break-me""#)
            #expect(try await gateway.post("/v1/chat/completions", json: broken, headers: key).status == 500)
            #expect(
                try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "upstream/gpt-x"), headers: key).status == 504
            )
            #expect(try await gateway.get("/health/live").status == 200)
            #expect(try await gateway.get("/no/such/path").status == 404)
            // Last, so its trace is the newest exemplar of its buckets.
            #expect(
                try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-gpt"), headers: key + [traceparent]).status
                    == 200
            )

            // A request is recorded just after its answer is written: wait until none is in flight.
            var scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            for _ in 0..<40 where Self.value(scrape, "http_requests_in_flight") != 0 {
                try await Task.sleep(for: .milliseconds(50))
                scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            }
            let chat = #"method="POST",route="/v1/chat/completions""#
            for (status, count) in [("200", 2.0), ("400", 1), ("401", 1), ("404", 1), ("429", 1), ("500", 1), ("504", 1)] {
                #expect(Self.value(scrape, #"http_requests_total{\#(chat),status="\#(status)"}"#) == count, "status \(status)")
            }
            #expect(Self.value(scrape, #"http_requests_total{method="GET",route="other",status="404"}"#) == 1)
            #expect(Self.value(scrape, #"http_requests_total{method="GET",route="/health/live",status="200"}"#) == 1)
            #expect(Self.value(scrape, #"http_request_duration_seconds_count{\#(chat)}"#) == 8)
            #expect(Self.value(scrape, "http_requests_in_flight") == 0)
            #expect(Self.value(scrape, #"llm_provider_errors_total{provider="upstream",error_type="rate_limited"}"#) == 1)
            #expect(Self.value(scrape, #"llm_provider_errors_total{provider="upstream",error_type="server_error"}"#) == 1)
            #expect(Self.value(scrape, #"llm_provider_errors_total{provider="upstream",error_type="timeout"}"#) == 1)
            #expect(Self.value(scrape, #"llm_provider_errors_total{provider="mock",error_type="timeout"}"#) == 0)
            #expect(Self.value(scrape, #"llm_provider_rate_limit_exceeded_total{provider="upstream"}"#) == 1)
            #expect(Self.value(scrape, #"llm_provider_latency_seconds_count{provider="mock",model="mock-gpt"}"#) == 3)
            #expect(Self.value(scrape, #"llm_provider_latency_seconds_count{provider="upstream",model="other"}"#) == 3)
            #expect(Self.value(scrape, #"llm_tokens_total{provider="mock",model="mock-gpt",type="output"}"#) == 32)
            #expect((Self.value(scrape, #"llm_tokens_total{provider="mock",model="mock-gpt",type="input"}"#) ?? 0) > 0)
            #expect(Self.value(scrape, #"llm_provider_health_status{provider="mock"}"#) == 1)
            // Two provider failures (500, timeout; a 429 is busy, not broken) stay below the threshold of three.
            #expect(Self.value(scrape, #"llm_provider_health_status{provider="upstream"}"#) == 1)
            let genAI = #"gen_ai_operation_name="chat",gen_ai_provider_name="mock",gen_ai_request_model="mock-gpt""#
            #expect(Self.value(scrape, #"gen_ai_server_time_to_first_token_seconds_count{\#(genAI)}"#) == 1)
            #expect(Self.value(scrape, #"gen_ai_server_time_per_output_token_seconds_count{\#(genAI)}"#) == 1)
            #expect(Self.value(scrape, #"gen_ai_client_token_usage_count{\#(genAI),gen_ai_token_type="output"}"#) == 2)
            #expect(Self.value(scrape, #"gen_ai_client_operation_duration_seconds_count{\#(genAI),error_type=""}"#) == 2)
            let failed = #"gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="other",error_type="timeout""#
            #expect(Self.value(scrape, #"gen_ai_client_operation_duration_seconds_count{\#(failed)}"#) == 1)
            for metric in MetricCatalog.all {
                #expect(scrape.contains("# TYPE \(metric.name) \(metric.kind.rawValue)\n"), "\(metric.name)")
            }
            #expect(!scrape.contains("sk-gw-metrics") && !scrape.contains("sk-upstream-secret"))

            let openMetrics = try await gateway.get(
                "/metrics",
                port: gateway.metricsPort,
                headers: [("accept", "application/openmetrics-text; version=1.0.0")]
            )
            #expect(openMetrics.headers.first(name: "content-type")?.hasPrefix("application/openmetrics-text") == true)
            #expect(openMetrics.body.contains(#"# {trace_id="4bf92f3577b34da6a3ce929d0e0e4736",span_id=""#))

            try Promtool.checkMetrics(scrape)
        }
    }

    @Test("a scrape before any traffic holds every configured provider, deployment, client key and failover pair at 0")
    func seriesFromStartUp() async throws {
        var config = ConfigLoader.embeddedDefault()
        config.auth = AuthConfig(apiKeys: [
            ClientKey(name: "team-a", key: "sk-a", budget: BudgetConfig(usdPerMonth: 10)), ClientKey(name: "team-b", key: "sk-b"),
        ])
        RoutingStrategyTests.mock(&config, "mock-a")
        RoutingStrategyTests.mock(&config, "mock-b")
        config.models["chat"] = ModelRoute(
            deployments: [ModelDeployment(provider: "mock-a", model: "a"), ModelDeployment(provider: "mock-b", model: "b", priority: 1)]
        )
        try await GatewayHarness.with(config) { gateway in
            let scrape = try await gateway.get("/metrics", port: gateway.metricsPort).body
            for provider in ["mock", "mock-a", "mock-b"] {
                #expect(Self.value(scrape, #"llm_provider_rate_limit_exceeded_total{provider="\#(provider)"}"#) == 0, "\(provider)")
                #expect(Self.value(scrape, #"llm_upstream_retries_total{provider="\#(provider)"}"#) == 0, "\(provider)")
                #expect(Self.value(scrape, #"llm_provider_errors_total{provider="\#(provider)",error_type="timeout"}"#) == 0, "\(provider)")
            }
            for (provider, model) in [("mock-a", "a"), ("mock-b", "b"), ("mock", "mock-gpt")] {
                for type in ["input", "output", "cache_read", "cache_creation", "reasoning"] {
                    #expect(Self.value(scrape, #"llm_tokens_total{provider="\#(provider)",model="\#(model)",type="\#(type)"}"#) == 0)
                }
                for client in ["team-a", "team-b"] {
                    #expect(Self.value(scrape, #"llm_cost_usd_total{provider="\#(provider)",model="\#(model)",client="\#(client)"}"#) == 0)
                }
                // The embedded default prices its mock models; the added deployments have no price.
                let unpriced = Self.value(scrape, #"llm_unpriced_requests_total{provider="\#(provider)",model="\#(model)"}"#)
                #expect(unpriced == (provider == "mock" ? nil : 0))
                #expect(Self.value(scrape, #"llm_circuit_breaker_state{provider="\#(provider)",model="\#(model)"}"#) == 0)
            }
            #expect(Self.value(scrape, #"llm_failovers_total{from_provider="mock-a",to_provider="mock-b"}"#) == 0)
            #expect(Self.value(scrape, #"llm_budget_spent_usd{client="team-a",period="month"}"#) == 0)
            #expect(Self.value(scrape, #"llm_budget_limit_usd{client="team-a",period="month"}"#) == 10)
            #expect(Self.value(scrape, #"llm_budget_rejections_total{client="team-b"}"#) == 0)
            #expect(Self.value(scrape, #"llm_budget_limit_usd{client="team-b",period="month"}"#) == nil, "team-b has no budget")
            #expect(Self.value(scrape, #"llm_failovers_total{from_provider="mock-b",to_provider="mock-a"}"#) == 0)
            // Only what the configuration names: no deployment that is not configured, no pair that shares no model.
            #expect(Self.value(scrape, #"llm_tokens_total{provider="mock-a",model="b",type="input"}"#) == nil)
            #expect(Self.value(scrape, #"llm_failovers_total{from_provider="mock",to_provider="mock-a"}"#) == nil)
            try Promtool.checkMetrics(scrape)
            // The first event is an increase from 0, which rate() and increase() see.
            let key = [("authorization", "Bearer sk-a")]
            #expect(try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat"), headers: key).status == 200)
            let after = try await gateway.get("/metrics", port: gateway.metricsPort).body
            #expect((Self.value(after, #"llm_tokens_total{provider="mock-a",model="a",type="output"}"#) ?? 0) > 0)
        }
    }

    @Test("1,000 distinct bogus model names add no series")
    func boundedModelLabels() async throws {
        try await GatewayHarness.with(ConfigLoader.embeddedDefault()) { gateway in
            #expect(try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock/warm-up")).status == 200)
            let before = try await gateway.get("/metrics", port: gateway.metricsPort).body
            for index in 0..<1000 {
                let model = index.isMultiple(of: 2) ? "mock/bogus-\(index)" : "bogus-\(index)"
                let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: model))
                #expect(reply.status == (index.isMultiple(of: 2) ? 200 : 404))
            }
            let after = try await gateway.get("/metrics", port: gateway.metricsPort).body
            func seriesCount(_ text: String) -> Int { text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("process_") }.count }
            // One new series: the 404 status of the chat route.
            #expect(seriesCount(after) == seriesCount(before) + 1)
            #expect(!after.contains("bogus"))
            #expect(Self.value(after, #"llm_provider_latency_seconds_count{provider="mock",model="other"}"#) == 501)
        }
    }
}

/// Runs Debian's `promtool` (package prometheus) on text.
enum Promtool {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func checkMetrics(_ text: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["promtool", "check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "promtool check metrics exited \(process.terminationStatus): \(report)")
        }
    }
}
