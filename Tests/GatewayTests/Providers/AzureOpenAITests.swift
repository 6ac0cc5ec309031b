import Foundation
import NIOCore
import Testing

@testable import Gateway

@Suite("Azure OpenAI")
struct AzureOpenAITests {
    @Test("requests go to the deployment URL with api-version and the api-key header")
    func deploymentURL() async throws {
        let upstream = try await TestUpstream.start { _, _, writer in
            try await OpenAIWire.json(OpenAIWire.completion(model: "gpt-4o-mini", content: "from azure"), to: writer)
        }
        defer { Task { await upstream.stop() } }
        var config = ConfigLoader.embeddedDefault()
        var azure = ProviderConfig(type: .azureOpenAI)
        azure.baseURL = upstream.baseURL + "/"
        azure.apiKey = "azure-secret"
        config.providers["azure"] = azure
        config.models = ["chat": [ModelDeployment(provider: "azure", model: "my deployment")]]
        config.healthChecks.enabled = false
        try await GatewayHarness.with(config) { gateway in
            let reply = try await gateway.post("/v1/chat/completions", json: GatewayHarness.chatBody(model: "chat"))
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "x-llm-gateway-provider") == "azure")
            let embedding = try await gateway.post("/v1/embeddings", json: #"{"model":"azure/emb","input":"x"}"#)
            #expect(embedding.status == 200)
        }
        let received = upstream.received
        #expect(received.first?.path == "/openai/deployments/my%20deployment/chat/completions?api-version=2024-10-21")
        #expect(received.first?.headers[.init("api-key")!] == "azure-secret")
        #expect(received.first?.headers[.authorization] == nil)
        #expect(received.last?.path == "/openai/deployments/emb/embeddings?api-version=2024-10-21")
    }

    @Test("the OpenAI base URL gets /v1 unless it already ends with it")
    func openAIBase() {
        #expect(
            OpenAIPlatformEndpoint(baseURL: nil, apiKey: nil).url(for: .chatCompletions, model: "m") == "https://api.openai.com/v1/chat/completions"
        )
        #expect(
            OpenAIPlatformEndpoint(baseURL: "http://vllm:8000/v1/", apiKey: nil).url(for: .embeddings, model: "m") == "http://vllm:8000/v1/embeddings"
        )
        #expect(
            OpenAIPlatformEndpoint(baseURL: "http://ollama:11434", apiKey: nil).url(for: .chatCompletions, model: "m")
                == "http://ollama:11434/v1/chat/completions"
        )
    }
}
