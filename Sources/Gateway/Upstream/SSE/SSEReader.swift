import NIOCore

/// Reads a `text/event-stream` incrementally, as bytes arrive split anywhere: lines end in LF, CRLF or a
/// lone CR (a CR at the end of one chunk and an LF at the start of the next are one line end); `data:`
/// lines of one event are joined with LF; `event:` and `id:` are kept; comments (`:`) and unknown fields
/// are skipped; a blank line ends the event. Each byte is scanned once and moved at most once, so time
/// is linear in the stream's length; memory is bounded by `maxEventBytes` (the unfinished line plus
/// the event's data, and the bytes since the last blank line), past which ``feed(_:)`` throws.
///
/// The one SSE reader of the gateway: every provider decoder and every re-encoder reads through it.
struct SSEReader: Sendable {
    /// The default bound of one event: far above any model's chunk, far below harm.
    static let defaultMaxEventBytes = 4 * 1024 * 1024

    let maxEventBytes: Int
    /// Bytes of the unfinished line (complete lines are consumed as they are found).
    private var line: [UInt8] = []
    /// The previous chunk ended in CR: an LF starting the next chunk belongs to that line end.
    private var skipLF = false
    private var data: [UInt8] = []
    private var hasData = false
    private var name: String?
    private var id: String?

    init(maxEventBytes: Int = SSEReader.defaultMaxEventBytes) {
        self.maxEventBytes = maxEventBytes
    }

    /// Bytes the reader holds now (the unfinished line and event): what a stream costs in memory.
    var bufferedBytes: Int { line.count + data.count }

    /// How many of the bytes fed so far come after the last blank line: the unfinished event a relay holds
    /// back, so that a client is only ever sent whole events.
    private(set) var bytesSinceBoundary = 0

    /// The events completed by `bytes`, in order.
    mutating func feed(_ buffer: ByteBuffer) throws(SSEError) -> [SSEEvent] {
        try buffer.withUnsafeReadableBytes { (bytes) throws(SSEError) -> [SSEEvent] in try feed(bytes) }
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(SSEError) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var start = 0
        var index = 0
        var boundary: Int?
        if skipLF, index < bytes.count {
            skipLF = false
            if bytes[0] == 0x0A {
                index = 1
                start = 1
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x0A || byte == 0x0D else {
                index += 1
                continue
            }
            let blank = line.isEmpty && start == index
            if line.isEmpty {
                handleLine(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), into: &events)
            } else {
                line.append(contentsOf: bytes[start..<index])
                handleBufferedLine(into: &events)
            }
            try checkSize()
            index += 1
            if byte == 0x0D {
                if index < bytes.count {
                    if bytes[index] == 0x0A { index += 1 }
                } else {
                    skipLF = true
                }
            }
            start = index
            if blank { boundary = index }
        }
        if let boundary {
            bytesSinceBoundary = bytes.count - boundary
        } else {
            bytesSinceBoundary += bytes.count
        }
        // Comments or field lines that never reach a blank line are one endless event: bounded like any other.
        if bytesSinceBoundary > maxEventBytes { throw .eventTooLarge(limit: maxEventBytes) }
        if start < bytes.count {
            line.append(contentsOf: bytes[start...])
            try checkSize()
        }
        return events
    }

    /// The stream closed: an event still open (its data read, the blank line not yet) is delivered, as
    /// servers that end with `data: [DONE]\n` and close expect; a trailing unfinished line counts as a line.
    mutating func finish() throws(SSEError) -> SSEEvent? {
        var events: [SSEEvent] = []
        if !line.isEmpty { handleBufferedLine(into: &events) }
        try checkSize()
        return hasData ? dispatch() : nil
    }

    /// Handles the line collected in `line` (without copying it) and empties it, keeping its storage.
    private mutating func handleBufferedLine(into events: inout [SSEEvent]) {
        var complete: [UInt8] = []
        swap(&complete, &line)
        defer {
            complete.removeAll(keepingCapacity: true)
            swap(&complete, &line)
        }
        complete.withUnsafeBytes { raw in handleLine(raw, into: &events) }
    }

    private mutating func handleLine(_ line: UnsafeRawBufferPointer, into events: inout [SSEEvent]) {
        guard let first = line.first else {
            if hasData { events.append(dispatch()) } else { name = nil }
            return
        }
        if first == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
        var valueStart = Swift.min(colon + 1, line.count)
        if valueStart < line.count && line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let field = UnsafeRawBufferPointer(rebasing: line[0..<colon])
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart...])
        if field.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            name = String(decoding: value, as: UTF8.self)
        } else if field.elementsEqual("id".utf8), !value.contains(0) {
            id = String(decoding: value, as: UTF8.self)
        }
    }

    private mutating func dispatch() -> SSEEvent {
        let event = SSEEvent(name: name, data: data, id: id)
        data.removeAll(keepingCapacity: true)
        hasData = false
        name = nil
        return event
    }

    private func checkSize() throws(SSEError) {
        if line.count + data.count > maxEventBytes { throw .eventTooLarge(limit: maxEventBytes) }
    }
}

extension SSEReader {
    /// ``feed(_:)`` for an upstream's stream: a too-large event is the upstream's fault.
    mutating func read(_ chunk: ByteBuffer) throws(GatewayError) -> [SSEEvent] {
        do {
            return try feed(chunk)
        } catch {
            throw upstreamError
        }
    }

    /// ``finish()`` for an upstream's stream.
    mutating func close() throws(GatewayError) -> SSEEvent? {
        do {
            return try finish()
        } catch {
            throw upstreamError
        }
    }

    private var upstreamError: GatewayError { .invalidUpstreamResponse("a stream event is larger than \(maxEventBytes) bytes") }
}
