import Foundation

/// Where Redis is and how to log in: `redis://[[user]:password@]host[:port][/db]` (`REDIS_URL`).
struct RedisEndpoint: Sendable, Equatable {
    var host: String
    var port: Int = 6379
    var username: String?
    var password: String?
    var database: Int = 0

    init(host: String, port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Nil when `url` is not a `redis://` URL with a host (and a numeric db, when given).
    init?(url: String) {
        guard let components = URLComponents(string: url), components.scheme == "redis", let host = components.host, !host.isEmpty else {
            return nil
        }
        self.host = host
        self.port = components.port ?? 6379
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        self.username = user?.isEmpty == false ? user : nil
        self.password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if path.isEmpty {
            self.database = 0
        } else if let database = Int(path), database >= 0 {
            self.database = database
        } else {
            return nil
        }
    }
}
