/// Hands a request's ``ClientResponseWriter`` to the task that will answer it.
///
/// The writer cannot be copied, and the work that answers runs in a child task (so a client
/// disconnect can cancel it); the slot moves the writer across exactly once.
final class WriterSlot: @unchecked Sendable {
    private var writer: ClientResponseWriter?

    init(_ writer: consuming ClientResponseWriter) {
        self.writer = consume writer
    }

    /// The writer; nil if it was already taken.
    func take() -> ClientResponseWriter? {
        writer.take()
    }
}
