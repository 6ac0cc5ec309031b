import Logging
import Synchronization
import Telemetry

/// Where one deployment's (provider and model label's) spend is recorded: `llm_cost_usd_total` per client
/// key, resolved once at start-up and indexed by ``ClientKeys`` position, and `llm_unpriced_requests_total`
/// with a warning the first time an unpriced model answers.
final class SpendRecorder: Sendable {
    private let provider: String
    private let model: String
    /// By client index (``ClientKeys/index(of:)``).
    private let cost: [LazySeries<CounterCell>]
    private let unpriced: LazySeries<CounterCell>
    private let warned = Atomic<Bool>(false)
    private let logger: Logger

    init(provider: String, model: String, clients: ClientKeys, registry: MetricsRegistry, logger: Logger) {
        self.provider = provider
        self.model = model
        let family = registry.counter(MetricCatalog.costTotal)
        cost = clients.names.map { LazySeries(family, provider, model, $0) }
        unpriced = LazySeries(registry.counter(MetricCatalog.unpricedRequestsTotal), provider, model)
        self.logger = logger
    }

    /// Creates, at 0, the series of a deployment the configuration names: its cost per client key.
    func materialize(priced: Bool) {
        for series in cost { series.materialize() }
        if !priced { unpriced.materialize() }
    }

    /// Adds what `usage` cost at `price` to the client's series; nil (and counted as unpriced) without a price.
    /// - Parameter upstreamModel: the model the provider was asked for (named in the warning).
    func record(_ usage: TokenUsage, price: ModelPrice?, client: Int, upstreamModel: String) -> Nanodollars? {
        guard let price else {
            unpriced.cell.increment()
            if !warned.exchange(true, ordering: .relaxed) {
                logger.warning(
                    "model has no price; its requests count as cost 0 (add it under pricing.prices)",
                    metadata: ["provider": "\(provider)", "model": "\(upstreamModel)"]
                )
            }
            return nil
        }
        let amount = price.cost(of: usage)
        cost[min(max(0, client), cost.count - 1)].cell.increment(by: amount.value)
        return amount
    }
}
