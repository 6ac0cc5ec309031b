import Logging

extension LogHandler {
    /// The fields of one log line: the handler's metadata, then its metadata provider's, then the event's own
    /// (later wins).
    func fields(of event: LogEvent) -> Logger.Metadata {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let own = event.metadata { fields.merge(own) { $1 } }
        return fields
    }
}
