/// Where a pooled connection goes: scheme, host and port of an upstream URL (its "origin"), and the
/// request target that follows them. Split by hand from the URL string, once per request, without
/// Foundation's URL (which costs more than the rest of the split request).
struct UpstreamOrigin: Hashable, Sendable {
    var tls: Bool
    var host: String
    var port: Int

    /// The `Host` header's value: the port only when it is not the scheme's default.
    var hostHeader: String { port == (tls ? 443 : 80) ? host : "\(host):\(port)" }

    /// Splits `http(s)://host[:port][/target]`; nil for any other scheme or a malformed authority.
    /// IPv6 literals are written in brackets (`http://[::1]:8080/v1`).
    static func split(_ url: String) -> (origin: UpstreamOrigin, target: String)? {
        let tls: Bool
        let rest: Substring
        if url.hasPrefix("http://") {
            tls = false
            rest = url.dropFirst(7)
        } else if url.hasPrefix("https://") {
            tls = true
            rest = url.dropFirst(8)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if let fragment = target.firstIndex(of: "#") { target = String(target[..<fragment]) }
        if target.isEmpty || target.first == "?" { target = "/" + target }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = authority
        var port = tls ? 443 : 80
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":", let parsed = Int(after.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let parsed = Int(authority[authority.index(after: colon)...]) else { return nil }
            host = authority[..<colon]
            port = parsed
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        return (UpstreamOrigin(tls: tls, host: String(host), port: port), target)
    }
}
