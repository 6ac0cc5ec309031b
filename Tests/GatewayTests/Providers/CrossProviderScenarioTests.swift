import Foundation
import Testing

@testable import Gateway

/// The same scenarios against every provider through a mock speaking that provider's wire format; the
/// client always sees OpenAI's contract. Adding a provider means adding its mock to `providers`.
@Suite("Cross-provider scenarios")
struct CrossProviderScenarioTests {
    static let providers: [any ProviderWireMock] = [OpenAIWireMock(), AnthropicWireMock(), GeminiWireMock(), BedrockWireMock()]
    static let cases: [(Int, Scenario, Bool)] = providers.indices.flatMap { index in
        Scenario.allCases.flatMap { scenario in [false, true].map { (index, scenario, $0) } }
    }

    @Test("every provider keeps OpenAI's contract", arguments: cases)
    func scenario(providerIndex: Int, scenario: Scenario, stream: Bool) async throws {
        let mock = Self.providers[providerIndex]
        let upstream = try await mock.start()
        defer { Task { await upstream.stop() } }
        var config = GatewayConfig.withUpstream(upstream.baseURL)
        var provider = ProviderConfig(type: mock.type)
        provider.baseURL = upstream.baseURL
        provider.apiKey = "test-key"
        provider.maxRetries = 0
        config.providers["under-test"] = provider
        let extra =
            #","max_tokens":20,"stream_options":{"include_usage":true},"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#
        let body =
            #"{"model":"under-test/m","stream":\#(stream),"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"scenario:\#(scenario.rawValue)"},{"role":"assistant","content":"ok"},{"role":"user","content":"again"}]\#(stream ? extra : #","max_tokens":20,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#)}"#
        let spans = SpanCollector()
        try await GatewayHarness.with(config, spans: spans) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: body)
            let label = "\(mock.type.rawValue) \(scenario) stream=\(stream)"
            switch scenario {
            case .rateLimited:
                #expect(reply.status == 429 && reply.headers.first(name: "retry-after") == "1", "\(label): \(reply.body)")
                #expect(reply.error["message"] as? String == "upstream 429", "\(label)")
            case .serverError:
                let message = reply.error["message"] as? String ?? ""
                #expect(
                    reply.status == 500 && message.hasPrefix("The upstream provider '") && message.contains("' failed with HTTP 500."),
                    "\(label): \(reply.body)"
                )
                #expect(!message.contains("upstream 500"), "\(label): a 5xx's own text stays in the logs")
            case .truncated where stream:
                #expect(reply.status == 200, "\(label)")
                let last = reply.body.components(separatedBy: "\n\n").filter { !$0.isEmpty }.last ?? ""
                #expect(last.hasPrefix(#"data: {"error""#), "\(label): a cut stream ends with an error event, got \(last)")
            case .truncated:
                #expect(reply.status == 502, "\(label): \(reply.body)")
            default:
                #expect(reply.status == 200, "\(label): \(reply.body)")
                let (content, toolName, arguments, finish, usage) = stream ? Self.fromStream(reply.body) : Self.fromWhole(reply.json)
                let expectedFinish = scenario == .toolCall ? "tool_calls" : scenario == .lengthStop ? "length" : "stop"
                #expect(finish == expectedFinish, "\(label)")
                #expect(usage == 5, "\(label): usage")
                if scenario == .toolCall {
                    #expect(
                        toolName == "get_weather"
                            && (try? JSONSerialization.jsonObject(with: Data(arguments.utf8)) as? [String: String]) == ["city": "Paris"],
                        "\(label)"
                    )
                } else {
                    #expect(content == (scenario == .lengthStop ? "po" : "pong"), "\(label)")
                }
                if stream { #expect(reply.body.hasSuffix("data: [DONE]\n\n"), "\(label)") }
            }
        }
        // The attempt's CLIENT span names the provider as the GenAI conventions do.
        let expectedName = ProviderMetrics.genAIProviderName(mock.type)
        let names = spans.all.filter { $0.kind == .client }.compactMap { span in
            span.attributes.first { $0.key == "gen_ai.provider.name" }.map { "\($0.value)" }
        }
        #expect(!names.isEmpty && names.allSatisfy { $0.contains(expectedName) }, "\(names)")
        if let sent = upstream.received.first {
            #expect(String(buffer: sent.body).contains("Be brief."), "the system prompt reaches \(mock.type.rawValue)")
        }
    }

    static func fromWhole(_ json: [String: Any]) -> (String, String, String, String?, Int?) {
        let choice = (json["choices"] as? [[String: Any]])?.first ?? [:]
        let message = choice["message"] as? [String: Any] ?? [:]
        let function = ((message["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: Any]) ?? [:]
        return (
            message["content"] as? String ?? "", function["name"] as? String ?? "", function["arguments"] as? String ?? "",
            choice["finish_reason"] as? String, (json["usage"] as? [String: Any])?["total_tokens"] as? Int
        )
    }

    static func fromStream(_ body: String) -> (String, String, String, String?, Int?) {
        let assembled = AssembledStream(body)
        return (assembled.content, assembled.toolName, assembled.toolArguments, assembled.finishReason, assembled.usage?["total_tokens"])
    }
}
