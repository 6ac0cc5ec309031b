import Crypto
import Foundation

/// AWS credentials for request signing (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
public struct AWSCredentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// AWS Signature Version 4 (header form) with swift-crypto's SHA-256 and HMAC: canonical request, string to
/// sign, the date/region/service signing key, and the `Authorization` header. Verified against AWS's
/// published test-suite vectors.
struct SigV4Signer: Sendable {
    let credentials: AWSCredentials
    let region: String
    let service: String

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256`, `authorization`, and
    /// `x-amz-security-token` with temporary credentials. `headers` are the ones sent (all are signed).
    func sign(method: String, url: URL, headers: [(String, String)], payload: [UInt8], date: Date = Date()) -> [(String, String)] {
        let amzDate = Self.amzDate(date)
        let payloadHash = SHA256.hash(data: payload).lowercaseHex
        var signed = headers.map { ($0.0.lowercased(), $0.1.trimmingCharacters(in: .whitespaces)) }
        signed.append(("x-amz-date", amzDate))
        if !signed.contains(where: { $0.0 == "host" }), let host = url.host {
            signed.append(("host", url.port.map { "\(host):\($0)" } ?? host))
        }
        if let token = credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        let authorization = authorizationHeader(method: method, url: url, headers: signed, payloadHash: payloadHash, amzDate: amzDate)
        var added = [("x-amz-date", amzDate), ("x-amz-content-sha256", payloadHash), ("authorization", authorization)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        return added
    }

    /// `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` for already-collected headers.
    func authorizationHeader(method: String, url: URL, headers: [(String, String)], payloadHash: String, amzDate: String) -> String {
        let sorted = Dictionary(headers.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { "\($0),\($1)" }).sorted { $0.key < $1.key }
        let signedHeaders = sorted.map(\.key).joined(separator: ";")
        let canonicalRequest = [
            method,
            Self.canonicalPath(url),
            Self.canonicalQuery(url),
            sorted.map { "\($0.key):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, SHA256.hash(data: Array(canonicalRequest.utf8)).lowercaseHex].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key).lowercaseHex
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    static func amzDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// The path with each segment URI-encoded (again: services other than S3 sign the already-encoded path).
    static func canonicalPath(_ url: URL) -> String {
        let path = url.path(percentEncoded: true)
        guard !path.isEmpty else { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
    }

    static func canonicalQuery(_ url: URL) -> String {
        guard let query = url.query(percentEncoded: true), !query.isEmpty else { return "" }
        var pairs: [(name: String, value: String)] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            pairs.append((uriEncode(parts[0]), uriEncode(parts.count > 1 ? parts[1] : "")))
        }
        pairs.sort { left, right in left.name == right.name ? left.value < right.value : left.name < right.name }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// RFC 3986 encoding: everything but unreserved characters.
    static func uriEncode(_ text: String) -> String { text.addingPercentEncodingForPath() }
}
