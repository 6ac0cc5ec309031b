/// Every metric the gateway emits: name, type, help, unit, labels and buckets, in one place.
///
/// Nothing is emitted that is not declared here; `llm-gateway metrics` prints this catalog and
/// `docs/metrics.md` is that output. The first six names are the ones the seed's alert rules and
/// runbook use; the `gen_ai_*` names are the OpenTelemetry GenAI semantic conventions translated to
/// Prometheus, with the conventions' bucket boundaries.
public enum MetricCatalog {
    /// Request latency buckets suited to LLM calls: sub-millisecond errors up to five-minute streams.
    public static let requestDurationBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300,
    ]

    public static let httpRequestsTotal = MetricDefinition(
        name: "http_requests_total",
        kind: .counter,
        help: "HTTP requests answered by the API listener, by method, route and status code.",
        labels: ["method", "route", "status"]
    )
    public static let httpRequestDuration = MetricDefinition(
        name: "http_request_duration_seconds",
        kind: .histogram,
        help: "Time from request received to response complete (end of stream for SSE).",
        unit: "seconds",
        labels: ["method", "route"],
        buckets: requestDurationBuckets
    )
    public static let gatewayOverhead = MetricDefinition(
        name: "llm_gateway_overhead_seconds",
        kind: .histogram,
        help: "The gateway's own time per proxied request: request duration minus the time spent on upstream attempts, "
            + "the backoff between them and relaying a started stream (also sent as x-llm-gateway-overhead-ms).",
        unit: "seconds",
        labels: ["route"],
        buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
    )
    public static let httpRequestsInFlight = MetricDefinition(
        name: "http_requests_in_flight",
        kind: .gauge,
        help: "API requests being processed, streams included."
    )
    public static let providerHealthStatus = MetricDefinition(
        name: "llm_provider_health_status",
        kind: .gauge,
        help: "1 when the provider is considered healthy, 0 when not.",
        labels: ["provider"]
    )
    public static let providerErrorsTotal = MetricDefinition(
        name: "llm_provider_errors_total",
        kind: .counter,
        help: "Failed upstream attempts by provider and error type "
            + "(timeout, connection, rate_limited, server_error, client_error, invalid_response, cancelled).",
        labels: ["provider", "error_type"]
    )
    public static let providerRateLimitExceededTotal = MetricDefinition(
        name: "llm_provider_rate_limit_exceeded_total",
        kind: .counter,
        help: "Upstream 429 answers and local provider rate limits hit.",
        labels: ["provider"]
    )
    public static let providerLatency = MetricDefinition(
        name: "llm_provider_latency_seconds",
        kind: .histogram,
        help: "Duration of each upstream attempt, from request sent to response complete.",
        unit: "seconds",
        labels: ["provider", "model"],
        buckets: requestDurationBuckets
    )
    public static let genAIOperationDuration = MetricDefinition(
        name: "gen_ai_client_operation_duration_seconds",
        kind: .histogram,
        help: "GenAI operation duration (OpenTelemetry gen_ai.client.operation.duration).",
        unit: "seconds",
        labels: ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "error_type"],
        buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
    )
    public static let genAITokenUsage = MetricDefinition(
        name: "gen_ai_client_token_usage",
        kind: .histogram,
        help: "Tokens used per operation, by token type (OpenTelemetry gen_ai.client.token.usage).",
        unit: "tokens",
        labels: ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_token_type"],
        buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864]
    )
    public static let genAITimeToFirstToken = MetricDefinition(
        name: "gen_ai_server_time_to_first_token_seconds",
        kind: .histogram,
        help: "Time to the first streamed token (OpenTelemetry gen_ai.server.time_to_first_token).",
        unit: "seconds",
        labels: ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model"],
        buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
    )
    public static let genAITimePerOutputToken = MetricDefinition(
        name: "gen_ai_server_time_per_output_token_seconds",
        kind: .histogram,
        help: "Time per output token after the first (OpenTelemetry gen_ai.server.time_per_output_token).",
        unit: "seconds",
        labels: ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model"],
        buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5]
    )
    public static let tokensTotal = MetricDefinition(
        name: "llm_tokens_total",
        kind: .counter,
        help:
            "Tokens processed, by provider, model and type: input and output are the totals; cache_read and cache_creation are parts of input, reasoning is part of output.",
        unit: "tokens",
        labels: ["provider", "model", "type"]
    )
    public static let costTotal = MetricDefinition(
        name: "llm_cost_usd_total",
        kind: .counter,
        help:
            "What answered requests cost at the price table's prices, by provider, model and client key name (anonymous without auth), exact to the nanodollar.",
        unit: "usd",
        labels: ["provider", "model", "client"],
        decimals: 9
    )
    public static let unpricedRequestsTotal = MetricDefinition(
        name: "llm_unpriced_requests_total",
        kind: .counter,
        help: "Answered requests whose model has no price in the price table (counted at cost 0), by provider and model.",
        labels: ["provider", "model"]
    )
    public static let budgetSpentUSD = MetricDefinition(
        name: "llm_budget_spent_usd",
        kind: .gauge,
        help: "What a client key has spent of its budget in the current UTC period (day or month), across replicas when Redis holds the budgets.",
        unit: "usd",
        labels: ["client", "period"]
    )
    public static let budgetLimitUSD = MetricDefinition(
        name: "llm_budget_limit_usd",
        kind: .gauge,
        help: "A client key's configured budget per UTC period (auth.api_keys[].budget).",
        unit: "usd",
        labels: ["client", "period"]
    )
    public static let budgetSpentTokens = MetricDefinition(
        name: "llm_budget_spent_tokens",
        kind: .gauge,
        help: "Tokens a client key has used of its token budget in the current UTC period.",
        unit: "tokens",
        labels: ["client", "period"]
    )
    public static let budgetLimitTokens = MetricDefinition(
        name: "llm_budget_limit_tokens",
        kind: .gauge,
        help: "A client key's configured token budget per UTC period.",
        unit: "tokens",
        labels: ["client", "period"]
    )
    public static let budgetRejectionsTotal = MetricDefinition(
        name: "llm_budget_rejections_total",
        kind: .counter,
        help: "Requests refused (429 insufficient_quota) because their client key's budget was used up.",
        labels: ["client"]
    )
    public static let budgetStoreFailuresTotal = MetricDefinition(
        name: "llm_budget_store_failures_total",
        kind: .counter,
        help: "Budget decisions the store (Redis) could not make, by what the request got: fail_open (admitted) or fail_closed (503).",
        labels: ["result"]
    )
    public static let storedResponsesTotal = MetricDefinition(
        name: "llm_stored_responses_total",
        kind: .counter,
        help:
            "Responses API responses offered to the response store, by result: stored, too_large (over responses.max_entry_bytes), evicted (older ones pushed out of memory), failed (Redis).",
        labels: ["result"]
    )
    public static let tlsCertificateExpiry = MetricDefinition(
        name: "llm_tls_certificate_expiry_timestamp_seconds",
        kind: .gauge,
        help: "When the certificate a TLS listener serves expires (its notAfter), in seconds since the Unix epoch.",
        unit: "seconds",
        labels: ["listener"]
    )
    public static let configReloadsTotal = MetricDefinition(
        name: "llm_config_reloads_total",
        kind: .counter,
        help: "Configuration reloads (SIGHUP or a changed file), by result (success, failure: the file was refused and the running config kept).",
        labels: ["result"]
    )
    public static let configLastReloadSuccessful = MetricDefinition(
        name: "llm_config_last_reload_successful",
        kind: .gauge,
        help: "Whether the last configuration reload succeeded (1) or was refused (0); 1 from start-up."
    )
    public static let configLastReloadSuccess = MetricDefinition(
        name: "llm_config_last_reload_success_timestamp_seconds",
        kind: .gauge,
        help: "When the running configuration was loaded (start-up or the last successful reload), in seconds since the Unix epoch.",
        unit: "seconds"
    )
    public static let configInfo = MetricDefinition(
        name: "llm_config_info",
        kind: .gauge,
        help: "The running configuration, by hash (the first 16 hex digits of the SHA-256 of its file; \"embedded\" without one); always 1.",
        labels: ["hash"]
    )
    public static let cacheRequestsTotal = MetricDefinition(
        name: "llm_cache_requests_total",
        kind: .counter,
        help: "Response cache lookups by result (hit, miss, bypass).",
        labels: ["result"]
    )
    public static let slowClientClosesTotal = MetricDefinition(
        name: "llm_slow_client_connections_closed_total",
        kind: .counter,
        help: "Connections closed because the client was too slow, by listener (api, metrics) and phase "
            + "(head: request head not in within server.request_head_timeout_seconds, body: body not in within "
            + "server.request_body_timeout_seconds, idle: keep-alive idle past server.idle_timeout_seconds).",
        labels: ["listener", "phase"]
    )
    public static let cacheStoresSkippedTotal = MetricDefinition(
        name: "llm_cache_stores_skipped_total",
        kind: .counter,
        help: "Answers the response cache did not keep, by reason (too_large: over cache.max_entry_bytes, "
            + "incomplete: the stream failed or ended in an error event).",
        labels: ["reason"]
    )
    public static let rateLimitDecisionsTotal = MetricDefinition(
        name: "llm_rate_limit_decisions_total",
        kind: .counter,
        help: "Rate-limit decisions by scope (key, provider) and result "
            + "(allowed, rejected, fail_open: store unreachable and let through, fail_closed: store unreachable and refused).",
        labels: ["scope", "result"]
    )
    public static let dataResidencyRefusalsTotal = MetricDefinition(
        name: "llm_data_residency_refusals_total",
        kind: .counter,
        help: "Requests refused with 403 because their model is outside data_residency.allowed_models."
    )
    public static let redisCommandDuration = MetricDefinition(
        name: "llm_redis_command_duration_seconds",
        kind: .histogram,
        help: "Duration of each Redis command, by command, failures included.",
        unit: "seconds",
        labels: ["command"],
        buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
    )
    public static let redisErrorsTotal = MetricDefinition(
        name: "llm_redis_errors_total",
        kind: .counter,
        help: "Failed Redis commands by kind (connection, timeout, reply, protocol).",
        labels: ["kind"]
    )
    public static let redisUp = MetricDefinition(
        name: "llm_redis_up",
        kind: .gauge,
        help: "1 while the gateway's Redis answers, 0 when it does not (rate limits then fail open or closed)."
    )
    public static let upstreamRetriesTotal = MetricDefinition(
        name: "llm_upstream_retries_total",
        kind: .counter,
        help: "Upstream attempts that were retries of a failed attempt.",
        labels: ["provider"]
    )
    public static let upstreamConnections = MetricDefinition(
        name: "llm_upstream_connections",
        kind: .gauge,
        help: "Keep-alive connections to each provider, by state (in_use: carrying a request, idle: waiting in the pool, "
            + "opening: being connected).",
        labels: ["provider", "state"]
    )
    public static let upstreamConnectionWaiters = MetricDefinition(
        name: "llm_upstream_connection_waiters",
        kind: .gauge,
        help: "Requests waiting for a connection because the provider's pool is at "
            + "connection_pool.max_connections_per_provider.",
        labels: ["provider"]
    )
    public static let upstreamConnectionWait = MetricDefinition(
        name: "llm_upstream_connection_wait_seconds",
        kind: .histogram,
        help: "Time each upstream attempt waited for a connection from the provider's pool (0 when one was free; "
            + "connecting a new one included).",
        unit: "seconds",
        labels: ["provider"],
        buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30]
    )
    public static let upstreamConnectionsOpenedTotal = MetricDefinition(
        name: "llm_upstream_connections_opened_total",
        kind: .counter,
        help: "Connections opened to each provider (a rate well above zero under steady load means connections are "
            + "not being reused).",
        labels: ["provider"]
    )
    public static let failoversTotal = MetricDefinition(
        name: "llm_failovers_total",
        kind: .counter,
        help: "Requests moved from one provider's deployment to another's.",
        labels: ["from_provider", "to_provider"]
    )
    public static let circuitBreakerState = MetricDefinition(
        name: "llm_circuit_breaker_state",
        kind: .gauge,
        help: "Circuit breaker of each deployment: 0 closed, 1 half-open (probing), 2 open (skipped).",
        labels: ["provider", "model"]
    )
    public static let circuitBreakerOpensTotal = MetricDefinition(
        name: "llm_circuit_breaker_opens_total",
        kind: .counter,
        help: "Times a deployment's circuit breaker opened, by reason "
            + "(consecutive_failures, error_rate, latency, probe_failed, health_check).",
        labels: ["provider", "model", "reason"]
    )
    public static let healthChecksTotal = MetricDefinition(
        name: "llm_provider_health_checks_total",
        kind: .counter,
        help: "Active health probes of each provider, by result (success, failure).",
        labels: ["provider", "result"]
    )
    public static let healthCheckDuration = MetricDefinition(
        name: "llm_provider_health_check_duration_seconds",
        kind: .histogram,
        help: "Duration of each active health probe.",
        unit: "seconds",
        labels: ["provider"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    )
    public static let exportedItemsTotal = MetricDefinition(
        name: "llm_gateway_exported_items_total",
        kind: .counter,
        help: "Spans and log lines the exporters delivered, by exporter (otlp, loki) and signal (spans, logs).",
        labels: ["exporter", "signal"]
    )
    public static let droppedItemsTotal = MetricDefinition(
        name: "llm_gateway_export_dropped_items_total",
        kind: .counter,
        help: "Spans and log lines the exporters dropped, by exporter, signal and reason (queue_full, export_failed, rejected, shutdown).",
        labels: ["exporter", "signal", "reason"]
    )
    public static let exportDuration = MetricDefinition(
        name: "llm_gateway_export_duration_seconds",
        kind: .histogram,
        help: "Duration of each export request to the collector or Loki.",
        unit: "seconds",
        labels: ["exporter"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    )
    public static let buildInfo = MetricDefinition(
        name: "llm_gateway_build_info",
        kind: .gauge,
        help: "Build of the running gateway; always 1.",
        labels: ["version", "revision"]
    )
    public static let processCPUSeconds = MetricDefinition(
        name: "process_cpu_seconds_total",
        kind: .counter,
        help: "Total user and system CPU time spent, in seconds.",
        unit: "seconds"
    )
    public static let processResidentMemory = MetricDefinition(
        name: "process_resident_memory_bytes",
        kind: .gauge,
        help: "Resident memory size in bytes.",
        unit: "bytes"
    )
    public static let processOpenFDs = MetricDefinition(
        name: "process_open_fds",
        kind: .gauge,
        help: "Number of open file descriptors."
    )
    public static let processStartTime = MetricDefinition(
        name: "process_start_time_seconds",
        kind: .gauge,
        help: "Start time of the process since the Unix epoch, in seconds.",
        unit: "seconds"
    )

    /// Every family, in exposition order.
    public static let all: [MetricDefinition] = [
        httpRequestsTotal, httpRequestDuration, gatewayOverhead, httpRequestsInFlight, slowClientClosesTotal,
        providerHealthStatus, providerErrorsTotal, providerRateLimitExceededTotal, providerLatency,
        genAIOperationDuration, genAITokenUsage, genAITimeToFirstToken, genAITimePerOutputToken,
        tokensTotal, costTotal, unpricedRequestsTotal, budgetSpentUSD, budgetLimitUSD, budgetSpentTokens, budgetLimitTokens,
        budgetRejectionsTotal, budgetStoreFailuresTotal, storedResponsesTotal, tlsCertificateExpiry,
        configReloadsTotal, configLastReloadSuccessful, configLastReloadSuccess, configInfo, cacheRequestsTotal, cacheStoresSkippedTotal,
        rateLimitDecisionsTotal,
        dataResidencyRefusalsTotal, redisCommandDuration,
        redisErrorsTotal, redisUp,
        upstreamRetriesTotal, upstreamConnections, upstreamConnectionWaiters, upstreamConnectionWait, upstreamConnectionsOpenedTotal,
        failoversTotal, circuitBreakerState,
        circuitBreakerOpensTotal, healthChecksTotal, healthCheckDuration,
        exportedItemsTotal, droppedItemsTotal, exportDuration, buildInfo, processCPUSeconds, processResidentMemory, processOpenFDs, processStartTime,
    ]

    /// The catalog as a markdown table (what `llm-gateway metrics` prints and docs/metrics.md holds).
    public static func markdown() -> String {
        var text = "# Metrics\n\nEvery metric llm-gateway exposes on `METRICS_PORT` `/metrics`, "
        text += "generated from the catalog in `Sources/Telemetry/Metrics/MetricCatalog.swift` by `llm-gateway metrics`.\n\n"
        text += "| name | type | unit | labels | help |\n|---|---|---|---|---|\n"
        for metric in all {
            let labels = metric.labelNames.map { "`\($0)`" }.joined(separator: ", ")
            text +=
                "| `\(metric.name)` | \(metric.kind.rawValue) | \(metric.unit.isEmpty ? "—" : metric.unit) | \(labels.isEmpty ? "—" : labels) | \(metric.help) |\n"
        }
        text += "\nHistogram buckets (upper bounds, `+Inf` implied):\n\n"
        for metric in all where metric.kind == .histogram {
            text += "- `\(metric.name)`: " + metric.buckets.map(ExpositionFormat.number).joined(separator: ", ") + "\n"
        }
        return text
    }
}
