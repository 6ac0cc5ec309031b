/// The API's routes: what the `route` label may take. Unknown paths are `other`, so a scanner
/// hitting random URLs adds no series.
public enum APIRoute: String, CaseIterable, Sendable {
    case chatCompletions = "/v1/chat/completions"
    case messages = "/v1/messages"
    case responses = "/v1/responses"
    case storedResponse = "/v1/responses/{id}"
    case embeddings = "/v1/embeddings"
    case models = "/v1/models"
    case health = "/health"
    case healthLive = "/health/live"
    case healthReady = "/health/ready"
    case other

    init(path: String) {
        switch path {
        case "/v1/chat/completions": self = .chatCompletions
        case "/v1/messages": self = .messages
        case "/v1/responses": self = .responses
        case "/v1/embeddings": self = .embeddings
        case "/v1/models": self = .models
        case "/health": self = .health
        case "/health/live": self = .healthLive
        case "/health/ready": self = .healthReady
        default: self = path.hasPrefix("/v1/responses/") ? .storedResponse : .other
        }
    }

    /// The health probes: their access lines are at debug, so they do not drown the requests.
    var isProbe: Bool { self == .health || self == .healthLive || self == .healthReady }

    /// Whether requests on this route are proxied to a provider (and so have a gateway overhead).
    var callsUpstream: Bool {
        switch self {
        case .chatCompletions, .messages, .responses, .embeddings: true
        case .storedResponse, .models, .health, .healthLive, .healthReady, .other: false
        }
    }

    /// Position in `allCases`, for handle tables.
    var index: Int {
        switch self {
        case .chatCompletions: 0
        case .messages: 1
        case .responses: 2
        case .storedResponse: 3
        case .embeddings: 4
        case .models: 5
        case .health: 6
        case .healthLive: 7
        case .healthReady: 8
        case .other: 9
        }
    }

    /// The SERVER span's name, `{method} {route}` (the method alone for unknown paths), made once per pair for
    /// the methods the gateway serves.
    func spanName(method: String) -> String {
        guard self != .other else { return method }
        switch method {
        case "POST": return Self.postSpanNames[index]
        case "GET": return Self.getSpanNames[index]
        default: return "\(method) \(rawValue)"
        }
    }

    private static let postSpanNames = allCases.map { "POST \($0.rawValue)" }
    private static let getSpanNames = allCases.map { "GET \($0.rawValue)" }

    /// Methods the `method` label may take; anything else is `OTHER`.
    static let methods = ["GET", "POST", "HEAD", "DELETE", "OTHER"]

    static func methodIndex(_ method: String) -> Int {
        switch method {
        case "GET": 0
        case "POST": 1
        case "HEAD": 2
        case "DELETE": 3
        default: 4
        }
    }
}
