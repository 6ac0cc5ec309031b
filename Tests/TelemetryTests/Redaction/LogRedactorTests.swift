import Testing

@testable import Telemetry

@Suite("Redaction")
struct LogRedactorTests {
    @Test(
        "each kind is replaced",
        arguments: [
            ("mail jane.doe+ops@example.co.uk now", "mail [REDACTED:email] now"),
            ("call +1 415-555-0132 today", "call [REDACTED:phone] today"),
            ("call (415) 555-0132", "call [REDACTED:phone]"),
            ("call +1 (415) 555-0132.", "call [REDACTED:phone]."),
            ("fax 030 1234 5678", "fax [REDACTED:phone]"),
            ("ring +447911123456", "ring [REDACTED:phone]"),
            ("card 4111 1111 1111 1111 ok", "card [REDACTED:card] ok"),
            ("card 5500-0000-0000-0004", "card [REDACTED:card]"),
            ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "Authorization: [REDACTED:bearer]"),
            ("key sk-proj-abcdefghijklmnopqrstuvwx used", "key [REDACTED:api_key] used"),
            ("key sk-ant-api03-abcdefghijkl used", "key [REDACTED:api_key] used"),
            ("aws AKIAIOSFODNN7EXAMPLE here", "aws [REDACTED:api_key] here"),
        ]
    )
    func redacts(input: String, expected: String) {
        #expect(LogRedactor().redact(input) == expected)
    }

    @Test(
        "ordinary values stay",
        arguments: [
            "status 200 in 0.532 s",
            "request 4bf92f3577b34da6a3ce929d0e0e4736",
            "2026-11-26T17:31:07.729364123Z",
            "listening on 127.0.0.1:8080",
            "body limit 10485760 bytes",
            "card-like but not Luhn 4111 1111 1111 1112",
            "sk-short",
            "on 2026-11-26 17:31:07 from 10.0.0.12",
            "epoch ms 1795716582706 and id 12345678901234567890123",
            "version 1.2.3-beta.4",
        ]
    )
    func keeps(input: String) {
        #expect(LogRedactor().redact(input) == input)
    }
}
