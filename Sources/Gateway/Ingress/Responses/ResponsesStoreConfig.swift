/// `responses:` — where `/v1/responses` keeps stored responses (`store`, `previous_response_id`,
/// `GET`/`DELETE /v1/responses/{id}`): Redis when configured (shared by replicas, kept across restarts),
/// else an in-memory LRU bounded in bytes. Each for `ttl_seconds`; larger entries are not stored (counted).
public struct ResponsesStoreConfig: Sendable, Equatable {
    public var ttlSeconds = 7 * 86_400
    public var maxSizeMB = 64
    public var maxEntryBytes = 1024 * 1024

    public init() {}
}
