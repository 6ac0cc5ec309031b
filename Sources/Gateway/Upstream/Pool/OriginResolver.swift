import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Where a pool's new connections go: the origin's addresses, looked up once for a burst of connects.
///
/// NIO's own resolver runs one blocking `getaddrinfo` per connect, in line on one queue per event loop: a
/// burst of new connections (a pool refilling after its clients went away, a traffic spike) waits for as
/// many lookups one after another — each a DNS round trip (several, with a cluster's search domains) for a
/// hostname no local cache answers. Here an IP-literal host is never looked up, and a hostname's answer is
/// shared by every connect that starts while one lookup runs and for `reuse` after it (a failed lookup is
/// not kept: the next connect asks again). The lookup runs on NIO's thread pool, never on an event loop.
final class OriginResolver: Resolver, Sendable {
    /// The addresses of a host in `getaddrinfo`'s order (RFC 6724), split by family for Happy Eyeballs.
    struct Addresses: Sendable {
        var v4: [SocketAddress] = []
        var v6: [SocketAddress] = []
    }

    private enum Answer {
        case none
        case pending(EventLoopFuture<Addresses>)
        case ready(Addresses, until: NIODeadline)
    }

    let host: String
    let port: Int
    /// The host's address when it is an IP literal: connects go there without a lookup.
    let literal: SocketAddress?
    private let reuse: TimeAmount
    private let lookUp: @Sendable (String, Int) throws -> Addresses
    private let answer = NIOLockedValueBox(Answer.none)

    /// `lookUp` is the blocking lookup (`getaddrinfo` unless a test counts its calls).
    init(
        host: String,
        port: Int,
        reuse: TimeAmount = .seconds(5),
        lookUp: @escaping @Sendable (String, Int) throws -> Addresses = OriginResolver.getaddrinfo
    ) {
        self.host = host
        self.port = port
        self.literal = try? SocketAddress(ipAddress: host, port: port)
        self.reuse = reuse
        self.lookUp = lookUp
    }

    func initiateAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        addresses(on: Self.callersLoop).map(\.v4)
    }

    func initiateAAAAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        addresses(on: Self.callersLoop).map(\.v6)
    }

    /// The event loop a query is made on (Happy Eyeballs asks from the connect's loop).
    private static var callersLoop: any EventLoop {
        MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
    }

    /// A lookup shared by other connects cannot be called off for one of them.
    func cancelQueries() {}

    /// The current answer, or the lookup in flight, or a new lookup that later connects share.
    func addresses(on eventLoop: any EventLoop) -> EventLoopFuture<Addresses> {
        let now = NIODeadline.now()
        let (future, start) = answer.withLockedValue { answer -> (EventLoopFuture<Addresses>, EventLoopPromise<Addresses>?) in
            switch answer {
            case .ready(let addresses, let until) where now < until:
                return (eventLoop.makeSucceededFuture(addresses), nil)
            case .pending(let future):
                return (future, nil)
            default:
                let promise = eventLoop.makePromise(of: Addresses.self)
                answer = .pending(promise.futureResult)
                return (promise.futureResult, promise)
            }
        }
        guard let start else { return future.hop(to: eventLoop) }
        let (host, port, reuse, answer, lookUp) = (host, port, reuse, answer, lookUp)
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { try lookUp(host, port) }.whenComplete { result in
            answer.withLockedValue { answer in
                if case .success(let addresses) = result { answer = .ready(addresses, until: .now() + reuse) } else { answer = .none }
            }
            start.completeWith(result)
        }
        return future
    }

    struct LookupFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// One blocking `getaddrinfo` for TCP addresses of `host`, in the order it returns them.
    @Sendable static func getaddrinfo(_ host: String, port: Int) throws -> Addresses {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = Glibc.getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else { throw LookupFailed(description: "cannot resolve \(host): \(String(cString: gai_strerror(status)))") }
        defer { freeaddrinfo(list) }
        var addresses = Addresses()
        var entry = list
        while let info = entry?.pointee, let address = info.ai_addr {
            switch info.ai_family {
            case AF_INET:
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { addresses.v4.append(SocketAddress($0.pointee, host: host)) }
            case AF_INET6:
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { addresses.v6.append(SocketAddress($0.pointee, host: host)) }
            default:
                break
            }
            entry = info.ai_next
        }
        guard !addresses.v4.isEmpty || !addresses.v6.isEmpty else { throw LookupFailed(description: "no addresses for \(host)") }
        return addresses
    }
}
