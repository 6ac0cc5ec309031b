/// One server-sent event as the WHATWG event-stream format defines it: the `event:` name (nil means
/// "message"), the `data:` lines joined with line feeds, and the last `id:`.
struct SSEEvent: Sendable, Equatable {
    var name: String?
    var data: [UInt8]
    var id: String?

    init(name: String? = nil, data: [UInt8], id: String? = nil) {
        self.name = name
        self.data = data
        self.id = id
    }

    init(name: String? = nil, data: String, id: String? = nil) {
        self.init(name: name, data: Array(data.utf8), id: id)
    }

    /// `data` is exactly `text` (OpenAI's `[DONE]` sentinel, say).
    func dataEquals(_ text: StaticString) -> Bool {
        text.withUTF8Buffer { data.elementsEqual($0) }
    }
}

/// Why an event stream could not be read.
enum SSEError: Error, Sendable, Equatable {
    /// One event (or the unfinished line being read) grew past the reader's byte limit.
    case eventTooLarge(limit: Int)
}
