import Glibc
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Gateway

/// How a pool finds its upstream's addresses: IP literals without a lookup, a hostname's lookup shared by a
/// burst of connects and reused for a while, a failed lookup not kept.
@Suite("Upstream origin resolver")
struct OriginResolverTests {
    /// A lookup that counts its calls, waits while `held`, and answers 127.0.0.1 (or fails while `failing`).
    final class CountingLookup: Sendable {
        let calls = Atomic(0)
        let failing = Atomic(false)
        let held = Atomic(false)

        func lookUp(_ host: String, port: Int) throws -> OriginResolver.Addresses {
            calls.add(1, ordering: .relaxed)
            while held.load(ordering: .relaxed) { usleep(1000) }
            if failing.load(ordering: .relaxed) { throw OriginResolver.LookupFailed(description: "no such host") }
            return OriginResolver.Addresses(v4: [try SocketAddress(ipAddress: "127.0.0.1", port: port)])
        }
    }

    @Test("an IP literal, v4 or v6, is an address already: no lookup")
    func literals() throws {
        let lookup = CountingLookup()
        let v4 = OriginResolver(host: "10.1.2.3", port: 8000, lookUp: lookup.lookUp)
        let v6 = OriginResolver(host: "::1", port: 443, lookUp: lookup.lookUp)
        #expect(v4.literal == (try SocketAddress(ipAddress: "10.1.2.3", port: 8000)))
        #expect(v6.literal == (try SocketAddress(ipAddress: "::1", port: 443)))
        #expect(OriginResolver(host: "api.openai.com", port: 443, lookUp: lookup.lookUp).literal == nil)
        #expect(lookup.calls.load(ordering: .relaxed) == 0)
    }

    @Test("a burst of connects shares one lookup, and later ones reuse its answer until it expires")
    func sharedLookup() async throws {
        let lookup = CountingLookup()
        lookup.held.store(true, ordering: .relaxed)
        let resolver = OriginResolver(host: "upstream.internal", port: 8000, reuse: .hours(1), lookUp: lookup.lookUp)
        let loops = MultiThreadedEventLoopGroup.singleton
        // Both queries of 200 connects, on both loops, all asked while the one lookup is held.
        let asked = Atomic(0)
        let answers = (0..<200).map { index in
            loops.any().flatSubmit {
                asked.add(1, ordering: .relaxed)
                return index % 2 == 0
                    ? resolver.initiateAQuery(host: "upstream.internal", port: 8000)
                    : resolver.initiateAAAAQuery(host: "upstream.internal", port: 8000)
            }
        }
        while asked.load(ordering: .relaxed) < 200 { try await Task.sleep(for: .milliseconds(5)) }
        lookup.held.store(false, ordering: .relaxed)
        var addresses: [[SocketAddress]] = []
        for answer in answers { addresses.append(try await answer.get()) }
        #expect(lookup.calls.load(ordering: .relaxed) == 1)
        #expect(addresses.filter { $0 == [try! SocketAddress(ipAddress: "127.0.0.1", port: 8000)] }.count == 100)
        #expect(addresses.filter(\.isEmpty).count == 100)
        // Within the reuse time: the same answer, no lookup.
        _ = try await resolver.addresses(on: loops.any()).get()
        #expect(lookup.calls.load(ordering: .relaxed) == 1)
        // A resolver whose answers are not reused looks up again for each connect after one finished.
        let unreused = OriginResolver(host: "upstream.internal", port: 8000, reuse: .zero, lookUp: lookup.lookUp)
        _ = try await unreused.addresses(on: loops.any()).get()
        _ = try await unreused.addresses(on: loops.any()).get()
        #expect(lookup.calls.load(ordering: .relaxed) == 3)
    }

    @Test("a failed lookup fails the connects waiting for it and is not kept: the next connect asks again")
    func failureNotKept() async throws {
        let lookup = CountingLookup()
        lookup.failing.store(true, ordering: .relaxed)
        let resolver = OriginResolver(host: "upstream.internal", port: 8000, lookUp: lookup.lookUp)
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        await #expect(throws: OriginResolver.LookupFailed.self) { try await resolver.addresses(on: loop).get() }
        lookup.failing.store(false, ordering: .relaxed)
        let addresses = try await resolver.addresses(on: loop).get()
        #expect(addresses.v4 == [try SocketAddress(ipAddress: "127.0.0.1", port: 8000)])
        #expect(lookup.calls.load(ordering: .relaxed) == 2)
    }

    @Test("a pool whose upstream is named by hostname connects through its resolver, 40 requests at once")
    func poolByHostname() async throws {
        let upstream = try await PooledTransportTests.upstream(delay: .milliseconds(50))
        let (transport, registry) = PooledTransportTests.transport(maxConnections: 64)
        let url = "http://localhost:\(upstream.port)/v1/x"
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 { group.addTask { try await transport.send(PooledTransportTests.request(url)).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 40))
        #expect(PooledTransportTests.metric(registry, #"llm_upstream_connections_opened_total{provider="p"}"#) == 40)
        try await transport.shutdown()
        await upstream.stop()
    }

    @Test("getaddrinfo finds localhost's loopback address; an unknown name is an error, not a crash")
    func systemLookup() throws {
        let addresses = try OriginResolver.getaddrinfo("localhost", port: 8080)
        let all = addresses.v4 + addresses.v6
        #expect(all.contains { $0.port == 8080 && ($0.ipAddress == "127.0.0.1" || $0.ipAddress == "::1") })
        #expect(addresses.v4.allSatisfy { $0.protocol == .inet } && addresses.v6.allSatisfy { $0.protocol == .inet6 })
        #expect(throws: OriginResolver.LookupFailed.self) { try OriginResolver.getaddrinfo("no-such-host.invalid", port: 80) }
    }
}
