import Synchronization

/// The configuration generation new requests run on, and the ones a reload replaced that still have
/// requests in flight.
///
/// Entering and swapping happen under one lock, so a generation whose count of requests is 0 after it was
/// replaced gets no more: its upstream clients can be closed then, and not before.
final class ActiveConfig: Sendable {
    private struct State {
        var current: ConfigGeneration
        /// Replaced generations whose own upstream clients are not closed yet.
        var retiring: [ConfigGeneration] = []
    }

    private let state: Mutex<State>

    init(_ generation: ConfigGeneration) {
        state = Mutex(State(current: generation))
    }

    /// The generation new requests run on.
    var current: ConfigGeneration { state.withLock { $0.current } }

    /// The current generation, entered for one request; the caller calls ``ConfigGeneration/leave()`` when
    /// the request ends.
    func enter() -> ConfigGeneration {
        state.withLock {
            $0.current.enter()
            return $0.current
        }
    }

    /// Makes `next` current; the generation it replaced retires.
    func replace(with next: ConfigGeneration) {
        state.withLock {
            $0.retiring.append($0.current)
            $0.current = next
        }
    }

    /// Replaced generations still holding requests.
    var retiringInFlight: Int { state.withLock { $0.retiring.count { $0.requestsInFlight > 0 } } }

    /// Takes the upstream clients that no request can reach any more — those of replaced generations
    /// without requests in flight that neither the current generation nor a busy replaced one uses — and
    /// forgets those generations. The caller shuts the clients down.
    func takeDrained() -> [ProviderTransport] {
        state.withLock { state in
            let drained = state.retiring.filter { $0.requestsInFlight == 0 }
            guard !drained.isEmpty else { return [] }
            state.retiring.removeAll { generation in drained.contains { $0 === generation } }
            let kept = Self.transports(of: state.retiring + [state.current])
            return Self.transports(of: drained).filter { transport in !kept.contains { $0.isSame(as: transport) } }
        }
    }

    /// Every upstream client of every generation, once each (at shutdown, after the listeners drained).
    func takeAll() -> [ProviderTransport] {
        state.withLock { state in
            defer { state.retiring = [] }
            return Self.transports(of: state.retiring + [state.current])
        }
    }

    /// The upstream clients of `generations`, each once (a client a reload kept belongs to several).
    private static func transports(of generations: [ConfigGeneration]) -> [ProviderTransport] {
        var distinct: [ProviderTransport] = []
        for generation in generations {
            for transport in generation.transports.values where !distinct.contains(where: { $0.isSame(as: transport) }) {
                distinct.append(transport)
            }
        }
        return distinct
    }
}
