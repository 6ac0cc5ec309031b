/// The gateway's whole configuration, decoded once at start-up into immutable values.
///
/// Field names follow the seed's `config.yaml` (snake_case in YAML, camelCase here).
/// `serve` and `check-config` read it through the same ``ConfigLoader``.
public struct GatewayConfig: Sendable, Equatable {
    public var server: ServerConfig
    public var providers: [String: ProviderConfig]
    public var connectionPool: ConnectionPoolConfig
    public var cache: CacheConfig
    public var logging: LoggingConfig
    public var auth: AuthConfig
    /// Public model name → its deployments and how to choose among them.
    public var models: [String: ModelRoute]
    /// `health_checks:` — active probes of every provider.
    public var healthChecks: HealthCheckConfig
    /// `REDIS_URL`; nil keeps rate limits and cache in memory.
    public var redisURL: String?
    /// `redis:` — pool, command timeout, and what an unreachable Redis means for rate limits.
    public var redis = RedisSettings()
    /// `region:` — where this gateway runs (informational; reported in logs).
    public var region: String?
    /// `data_residency:` — which regions providers may process data in, and which models may be asked for.
    public var dataResidency = DataResidencyConfig()
    /// `pricing:` — the price table cost is computed from.
    public var pricing = PricingConfig()
    /// `responses:` — stored Responses API responses.
    public var responses = ResponsesStoreConfig()

    public init(
        server: ServerConfig = .init(),
        providers: [String: ProviderConfig] = [:],
        connectionPool: ConnectionPoolConfig = .init(),
        cache: CacheConfig = .init(),
        logging: LoggingConfig = .init(),
        auth: AuthConfig = .init(),
        models: [String: ModelRoute] = [:],
        healthChecks: HealthCheckConfig = .init(),
        redisURL: String? = nil
    ) {
        self.server = server
        self.providers = providers
        self.connectionPool = connectionPool
        self.cache = cache
        self.logging = logging
        self.auth = auth
        self.models = models
        self.healthChecks = healthChecks
        self.redisURL = redisURL
    }

    /// Providers that are switched on, sorted by name so start-up order is stable.
    public var enabledProviders: [(name: String, config: ProviderConfig)] {
        providers.filter { $0.value.enabled }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// `server:` — listeners, limits and shutdown behaviour.
public struct ServerConfig: Sendable, Equatable {
    /// `server.tls`: HTTPS on the API listener; nil serves plain HTTP.
    public var tls: ServerTLSConfig?
    public var host: String = "0.0.0.0"
    public var port: Int = 8080
    public var metricsPort: Int = 9090
    /// Accepted for the seed's config; connection admission is left to the load balancer for now.
    public var maxConnections: Int = 1000
    /// The longest a request may spend on upstream attempts: no retry, failover or backoff starts past it.
    public var timeoutSeconds: Double = 300
    /// Largest accepted request body; larger ones get 413.
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    /// How long in-flight requests may take to finish after SIGTERM.
    public var shutdownTimeoutSeconds: Double = 30
    /// How long readiness reports 503 before the listener stops accepting (lets load balancers notice).
    public var drainDelaySeconds: Double = 0
    /// The largest `max_tokens` / `max_completion_tokens` a request may ask for; larger ones get 400.
    public var maxOutputTokens: Int = RequestLimits().maxOutputTokens
    /// A connection must deliver a request's head within this long of opening (or of its previous answer);
    /// header-dribbling clients are cut off instead of holding a connection slot.
    public var requestHeadTimeoutSeconds: Double = 30
    /// A request's whole body must arrive within this long of its head.
    public var requestBodyTimeoutSeconds: Double = 60
    /// An idle keep-alive connection (nothing read or written) is closed after this long.
    public var idleTimeoutSeconds: Double = 300

    public init() {}
}

/// The wire protocols the gateway can speak to an upstream.
public enum ProviderType: String, Sendable, CaseIterable, Equatable {
    case openai
    case azureOpenAI = "azure_openai"
    case anthropic
    case bedrock
    case gemini
    case mock
}

/// One entry under `providers:`.
public struct ProviderConfig: Sendable, Equatable {
    public var type: ProviderType
    public var enabled: Bool = true
    public var baseURL: String?
    /// Secret; never logged. Filled from the provider's environment variable when absent.
    public var apiKey: String?
    public var apiVersion: String?
    /// Total time one attempt may take, streamed answers included (checked as each chunk arrives;
    /// `idle_timeout_seconds` bounds the wait between chunks).
    public var timeoutSeconds: Double = 60
    /// Time to establish a connection; nil uses `connection_pool.connect_timeout_seconds`.
    public var connectTimeoutSeconds: Double?
    /// Time until the answer starts (response head; a stream's first event); nil uses `timeout_seconds`.
    public var firstByteTimeoutSeconds: Double?
    /// Longest silence between two chunks of an answer; nil uses `timeout_seconds`.
    public var idleTimeoutSeconds: Double?
    public var maxRetries: Int = 3
    public var rateLimit: RateLimitConfig?
    public var circuitBreaker = CircuitBreakerConfig()
    /// Where the provider processes data (checked against `data_residency`); Bedrock's AWS region.
    public var region: String?
    /// Bedrock's signing credentials, from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`.
    public var awsCredentials: AWSCredentials?
    /// Model names this provider serves under their own name (become public model names).
    public var models: [String] = []
    public var mock: MockSettings = .init()
    /// `tls.ca_file`: PEM certificates trusted for this provider's `https` URL instead of the system's
    /// (a private model server behind an internal CA).
    public var caFile: String?
    /// `stream_usage` (OpenAI-type and Azure): ask for `stream_options.include_usage` on every stream, so
    /// streamed tokens are counted. Off for a compatible server that refuses `stream_options`; its streams
    /// are then counted only when the client asks for usage itself.
    public var streamUsage = true

    public init(type: ProviderType) {
        self.type = type
    }

    /// This provider's timeouts with the defaults filled in.
    public func timeouts(pool: ConnectionPoolConfig) -> UpstreamTimeouts {
        UpstreamTimeouts(
            connect: .seconds(connectTimeoutSeconds ?? pool.connectTimeoutSeconds),
            firstByte: .seconds(min(firstByteTimeoutSeconds ?? timeoutSeconds, timeoutSeconds)),
            idle: .seconds(idleTimeoutSeconds ?? timeoutSeconds),
            total: .seconds(timeoutSeconds)
        )
    }
}

/// `rate_limit:` of a provider or a client key.
public struct RateLimitConfig: Sendable, Equatable {
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    /// The sliding window the limits count over; keep 60 s for per-minute limits (shorter ones suit tests).
    public var window: Duration = .seconds(60)

    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, window: Duration = .seconds(60)) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.window = window
    }
}

/// `redis:` — besides `url` (or `REDIS_URL`).
public struct RedisSettings: Sendable, Equatable {
    public var poolSize = 4
    /// The longest a rate-limit or cache command may take before the request goes on without it.
    public var commandTimeout: Duration = .milliseconds(250)
    /// With Redis unreachable: let requests through (true, the default) or refuse them with 503.
    public var failOpen = true

    public init() {}
}

/// Behaviour of the built-in `mock` provider (dev default, tests, benchmarks).
public struct MockSettings: Sendable, Equatable {
    /// Delay before a non-streamed reply, in milliseconds.
    public var latencyMs: Int = 0
    /// Delay before the first streamed chunk, in milliseconds.
    public var timeToFirstTokenMs: Int = 0
    /// Delay between streamed chunks, in milliseconds.
    public var interTokenMs: Int = 0
    /// Words in a reply (before `max_tokens` cuts it).
    public var replyTokens: Int = 16
    /// Share of requests, 0…1, answered with `errorStatus`.
    public var errorRate: Double = 0
    public var errorStatus: Int = 500

    public init() {}
}

/// `connection_pool:` — the limits of each provider's keep-alive pool.
public struct ConnectionPoolConfig: Sendable, Equatable {
    /// Free connections kept per origin once traffic calms; the surplus is closed within ten seconds.
    public var maxIdlePerHost: Int = 32
    public var idleTimeoutSeconds: Double = 90
    public var connectTimeoutSeconds: Double = 10
    /// Connections open at once per provider; requests beyond wait (counted and logged). HTTP/1.1 carries
    /// one request per connection, and an LLM answer holds it for seconds, so the default is sized for
    /// about a thousand answers in flight per provider per replica.
    public var maxConnectionsPerProvider: Int = 1000

    public init() {}
}

/// `cache:` — response cache settings.
public struct CacheConfig: Sendable, Equatable {
    public var enabled: Bool = false
    public var ttlSeconds: Int = 3600
    public var maxSizeMB: Int = 256
    /// The largest answer (a JSON completion or a whole SSE stream) the cache stores; larger ones are
    /// relayed but not kept, and counted.
    public var maxEntryBytes: Int = 2 * 1024 * 1024
    /// Off (the default): entries belong to the client key that filled them. On: every client key reads
    /// every entry (only for deployments where all keys belong to one tenant).
    public var sharedAcrossKeys = false

    public init() {}
}

/// `logging:` — level, format and destination of the gateway's own log.
public struct LoggingConfig: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable { case json, text }
    public enum Output: String, Sendable, Equatable { case stdout, stderr }
    public var level: String = "info"
    public var format: Format = .json
    public var output: Output = .stdout
    /// Log prompt and completion text in access lines (redacted). Off: content never reaches logs.
    public var includeContent = false
    /// Log lines wait for the writer thread in a buffer of this many bytes; when stdout cannot keep up,
    /// lines past it are dropped and counted, and requests never wait.
    public var bufferBytes = 8 * 1024 * 1024
    /// `logging.loki`: also push the lines to Loki.
    public var loki: LokiSettings?

    public init() {}
}

/// `logging.loki:` — where to push log lines, and the tenant and `env` label to use.
public struct LokiSettings: Sendable, Equatable {
    public var url: String
    public var tenantID: String?
    public var environment: String?

    public init(url: String, tenantID: String? = nil, environment: String? = nil) {
        self.url = url
        self.tenantID = tenantID
        self.environment = environment
    }
}

/// `auth:` — client API keys. Empty means auth is off.
public struct AuthConfig: Sendable, Equatable {
    public var apiKeys: [ClientKey] = []

    public init(apiKeys: [ClientKey] = []) {
        self.apiKeys = apiKeys
    }

    public var isEnabled: Bool { !apiKeys.isEmpty }
}

/// One client key; `name` is what logs and metrics may show instead of the secret.
public struct ClientKey: Sendable, Equatable {
    public var name: String
    public var key: String
    /// This key's own requests and tokens per minute.
    public var rateLimit: RateLimitConfig?
    /// What this key may spend per UTC day or month.
    public var budget: BudgetConfig?

    public init(name: String, key: String, rateLimit: RateLimitConfig? = nil, budget: BudgetConfig? = nil) {
        self.name = name
        self.key = key
        self.rateLimit = rateLimit
        self.budget = budget
    }
}

/// `data_residency:` — regions providers may (and may not) be in, and the models clients may ask for.
/// Enabled, every enabled provider must declare a `region` inside `allowed_regions` and outside
/// `deny_regions` (checked at start-up), and with `allowed_models` set any other model is refused with 403.
public struct DataResidencyConfig: Sendable, Equatable {
    public var enabled = false
    public var allowedRegions: [String] = []
    public var denyRegions: [String] = []
    /// Public model names (or `provider/model`) clients may request; empty allows every configured model.
    public var allowedModels: [String] = []

    public init() {}

    /// Whether a request for `model` passes the allow-list.
    public func allows(model: String) -> Bool {
        !enabled || allowedModels.isEmpty || allowedModels.contains(model)
    }
}
