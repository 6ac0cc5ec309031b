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

    /// Makes `next` current; returns the generation it replaced.
    @discardableResult
    func replace(with next: ConfigGeneration) -> ConfigGeneration {
        state.withLock {
            let replaced = $0.current
            $0.retiring.append(replaced)
            $0.current = next
            return replaced
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
            let kept = state.retiring.map(\.transports) + [state.current.transports]
            var unused: [ProviderTransport] = []
            for generation in drained {
                for transport in generation.transports.values
                where !kept.contains(where: { $0.values.contains { $0.isSame(as: transport) } })
                    && !unused.contains(where: { $0.isSame(as: transport) })
                {
                    unused.append(transport)
                }
            }
            return unused
        }
    }

    /// Every upstream client of every generation, once each (at shutdown, after the listeners drained).
    func takeAll() -> [ProviderTransport] {
        state.withLock { state in
            var all: [ProviderTransport] = []
            for generation in state.retiring + [state.current] {
                for transport in generation.transports.values where !all.contains(where: { $0.isSame(as: transport) }) {
                    all.append(transport)
                }
            }
            state.retiring = []
            return all
        }
    }
}
