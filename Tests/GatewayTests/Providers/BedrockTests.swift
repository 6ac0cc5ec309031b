import Foundation
import Logging
import NIOCore
import Telemetry
import Testing

@testable import Gateway

@Suite("Bedrock")
struct BedrockTests {
    static let example = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1",
        service: "service"
    )
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test(
        "SigV4 matches AWS's published test-suite vectors",
        arguments: [
            ("https://example.amazonaws.com/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
            ("https://example.amazonaws.com/?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        ]
    )
    func vectors(url: String, signature: String) {
        let header = Self.example.authorizationHeader(
            method: "GET",
            url: URL(string: url)!,
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
            payloadHash: Self.emptyHash,
            amzDate: "20150830T123600Z"
        )
        #expect(
            header
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=\(signature)"
        )
    }

    @Test("event-stream frames decode wherever the bytes split, and a bad CRC is refused")
    func eventStream() throws {
        let frames = BedrockWireMock().stream(text: "pong", tool: nil, finish: "stop")
        var all: [UInt8] = []
        for frame in frames { all += Array(frame.readableBytesView) }
        for split in 1..<all.count {
            var decoder = EventStreamDecoder()
            var types: [String] = []
            decoder.feed(ByteBuffer(bytes: all[..<split]))
            while let message = try decoder.next() { types.append(message.eventType ?? "") }
            decoder.feed(ByteBuffer(bytes: all[split...]))
            while let message = try decoder.next() { types.append(message.eventType ?? "") }
            #expect(
                types == ["messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"],
                "split at \(split)"
            )
        }
        var corrupt = all
        corrupt[20] ^= 0xFF
        var decoder = EventStreamDecoder()
        decoder.feed(ByteBuffer(bytes: corrupt))
        #expect(throws: GatewayError.self) { _ = try decoder.next() }
    }

    @Test("requests are signed for the provider's region with the model id as one path segment")
    func signedRequest() async throws {
        var config = ProviderConfig(type: .bedrock)
        config.region = "eu-west-1"
        config.awsCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "token")
        let timeouts = config.timeouts(pool: ConnectionPoolConfig())
        let provider = BedrockProvider(
            name: "bedrock",
            config: config,
            timeouts: timeouts,
            transport: PooledTransport(
                provider: "bedrock",
                pool: .init(),
                timeouts: timeouts,
                registry: MetricsRegistry(version: "t", revision: "t"),
                logger: Logger(label: "test")
            )
        )
        let path = "/model/\("anthropic.claude-3:0".addingPercentEncodingForPath())/converse"
        let request = provider.request(path: path, body: ByteBuffer(string: "{}"), accept: "application/json")
        #expect(request.url == "https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3%3A0/converse")
        let authorization = request.headers.first(name: "authorization") ?? ""
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
        #expect(authorization.contains("/eu-west-1/bedrock/aws4_request"))
        #expect(authorization.contains("SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token"))
        #expect(request.headers.first(name: "x-amz-security-token") == "token")
        try await provider.transport.shutdown()
    }
}
