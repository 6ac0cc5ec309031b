import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import Gateway

@Suite("API endpoints on the embedded default")
struct EndpointTests {
    @Test("models lists the configured public names in OpenAI's shape")
    func models() async throws {
        try await GatewayHarness.with(ConfigLoader.embeddedDefault()) { gateway in
            let reply = try await gateway.get("/v1/models")
            #expect(reply.status == 200)
            #expect(reply.json["object"] as? String == "list")
            let ids = (reply.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == ["mock-claude", "mock-gpt"])
        }
    }

    @Test("a chat completion through the mock, and provider/model direct routing")
    func chat() async throws {
        try await GatewayHarness.with(ConfigLoader.embeddedDefault()) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-gpt"))
            #expect(reply.status == 200)
            #expect(reply.json["object"] as? String == "chat.completion")
            #expect(reply.headers.first(name: "x-llm-gateway-provider") == "mock")
            #expect(reply.headers.first(name: "x-request-id")?.count == 32)
            let direct = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock/any-model"))
            #expect(direct.status == 200)
            #expect(direct.json["model"] as? String == "any-model")
        }
    }

    @Test("health, liveness and readiness")
    func health() async throws {
        try await GatewayHarness.with(ConfigLoader.embeddedDefault()) { gateway in
            let health = try await gateway.get("/health")
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "healthy")
            #expect(health.json["version"] as? String == GatewayRuntime.version)
            #expect(health.json["uptime_seconds"] is Int)
            let providers = health.json["providers"] as? [[String: Any]]
            #expect(providers?.first?["name"] as? String == "mock")
            #expect(providers?.first?["healthy"] as? Bool == true)
            let dependencies = health.json["dependencies"] as? [String: Any]
            #expect(dependencies?["redis"] as? Bool == true)
            #expect((dependencies?["disk_space_gb"] as? Double ?? 0) > 0)
            #expect(try await gateway.get("/health/live").status == 200)
            #expect(try await gateway.get("/health/ready").status == 200)
        }
    }

    @Test("the metrics listener serves Prometheus text")
    func metricsListener() async throws {
        try await GatewayHarness.with(ConfigLoader.embeddedDefault()) { gateway in
            let reply = try await gateway.get("/metrics", port: gateway.metricsPort)
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(reply.body.contains("# HELP llm_gateway_build_info"))
            #expect(try await gateway.get("/other", port: gateway.metricsPort).status == 404)
        }
    }

    @Test(
        "client mistakes get OpenAI errors with the right status",
        arguments: [
            (#"{"model":"mock-gpt","messages":[{"role":"user","content":"x"}"#, 400, nil as String?, nil as String?),
            (#"{"messages":[{"role":"user","content":"x"}]}"#, 400, nil, "model"),
            (#"{"model":"mock-gpt"}"#, 400, nil, "messages"),
            (#"{"model":"mock-gpt","messages":[]}"#, 400, nil, "messages"),
            (#"{"model":"mock-gpt","messages":[{"role":"wizard","content":"x"}]}"#, 400, nil, "messages[0].role"),
            (#"{"model":"mock-gpt","messages":"hello"}"#, 400, nil, "messages"),
            (#"{"model":"mock-gpt","stream":"yes","messages":[{"role":"user","content":"x"}]}"#, 400, nil, "stream"),
            (#"[1,2]"#, 400, nil, nil),
            (#"{"model":"gpt-unknown","messages":[{"role":"user","content":"x"}]}"#, 404, "model_not_found", "model"),
            (#"{"model":"nowhere/x","messages":[{"role":"user","content":"x"}]}"#, 404, "model_not_found", nil),
        ]
    )
    func clientErrors(body: String, status: Int, code: String?, param: String?) async throws {
        try await GatewayHarness.with(ConfigLoader.embeddedDefault()) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: body)
            #expect(reply.status == status)
            #expect(reply.error["message"] is String)
            #expect(reply.error["type"] as? String == "invalid_request_error")
            if let code { #expect(reply.error["code"] as? String == code) }
            if let param, status == 400 { #expect(reply.error["param"] as? String == param) }
        }
    }

    @Test("unknown routes are 404 and wrong methods 405, both as OpenAI errors")
    func routes() async throws {
        try await GatewayHarness.with(ConfigLoader.embeddedDefault()) { gateway in
            let missing = try await gateway.get("/v1/nothing")
            #expect(missing.status == 404)
            #expect(missing.error["code"] as? String == "unknown_url")
            let wrongMethod = try await gateway.get("/v1/chat/completions")
            #expect(wrongMethod.status == 405)
        }
    }

    @Test("a body over server.max_body_bytes is refused with 413")
    func bodyLimit() async throws {
        var config = ConfigLoader.embeddedDefault()
        config.server.maxBodyBytes = 1000
        try await GatewayHarness.with(config) { gateway in
            let big = String(repeating: "x", count: 5000)
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-gpt", extra: #","user":"\#(big)""#))
            #expect(reply.status == 413)
            #expect(reply.error["code"] as? String == "request_too_large")
            // A chunked body without Content-Length is cut off at the limit too.
            var request = HTTPClientRequest(url: gateway.baseURL + "/v1/chat/completions")
            request.method = .POST
            let chunks = (0..<10).map { _ in ByteBuffer(string: String(repeating: " ", count: 500)) }
            request.body = .stream(chunks.async, length: .unknown)
            #expect(try await gateway.send(request).status == 413)
            // Within the limit still works.
            #expect(try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "mock-gpt")).status == 200)
        }
    }

    @Test("auth on: 401 without or with a wrong key, 200 with a configured key")
    func authOn() async throws {
        var config = ConfigLoader.embeddedDefault()
        config.auth = AuthConfig(apiKeys: [ClientKey(name: "team-a", key: "sk-gw-team-a")])
        try await GatewayHarness.with(config) { gateway in
            let body = GatewayHarness.chatBody(model: "mock-gpt")
            let none = try await gateway.post("/v1/chat/completions", json: body)
            #expect(none.status == 401)
            #expect(none.error["code"] as? String == "invalid_api_key")
            let wrong = try await gateway.post("/v1/chat/completions", json: body, headers: [("authorization", "Bearer sk-wrong")])
            #expect(wrong.status == 401)
            let right = try await gateway.post("/v1/chat/completions", json: body, headers: [("authorization", "Bearer sk-gw-team-a")])
            #expect(right.status == 200)
            #expect(try await gateway.get("/v1/models").status == 401)
            #expect(try await gateway.get("/v1/models", headers: [("authorization", "Bearer sk-gw-team-a")]).status == 200)
            // Probes stay open for the orchestrator.
            #expect(try await gateway.get("/health/live").status == 200)
        }
    }

    @Test("embeddings through the mock")
    func embeddings() async throws {
        try await GatewayHarness.with(ConfigLoader.embeddedDefault()) { gateway in
            let reply = try await gateway.post("/v1/embeddings", json: #"{"model":"mock-gpt","input":["a","b"],"dimensions":4}"#)
            #expect(reply.status == 200)
            let data = reply.json["data"] as? [[String: Any]]
            #expect(data?.count == 2)
            #expect((data?.first?["embedding"] as? [Double])?.count == 4)
            let missing = try await gateway.post("/v1/embeddings", json: #"{"model":"mock-gpt"}"#)
            #expect(missing.status == 400)
            #expect(missing.error["param"] as? String == "input")
        }
    }
}
