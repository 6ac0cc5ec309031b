import CZlib

/// gzip (RFC 1952) through zlib, for `Content-Encoding: gzip` export bodies.
public enum Gzip {
    public struct Failure: Error, Sendable {
        public let code: Int32
    }

    /// Level 1 by default: telemetry batches are repetitive, and the fastest level already takes most of
    /// what compression can (the exporter shares the cores with the requests it reports on).
    /// - Parameter pause: called between slices of `slice` input bytes (the exporters' encoding thread gives
    ///   way to the request threads there).
    public static func compress(
        _ input: [UInt8],
        level: Int32 = 1,
        slice: Int = .max,
        pause: () -> Void = {}
    ) throws(Failure) -> [UInt8] {
        let deflater = try Deflater(level: level)
        return try deflater.compress(input, slice: slice, pause: pause)
    }

    /// One gzip compressor used batch after batch: zlib's state (about 256 KiB) and the output buffer are
    /// made once and reset between batches, instead of taken fresh from the kernel and faulted in for every
    /// batch (that was most of the gateway's page faults with tracing on). Not shareable: one thread at a time.
    public final class Deflater {
        private var stream = z_stream()
        private var output: [UInt8] = []
        /// Past this, the output buffer is not kept for the next batch (one huge batch must not pin its memory).
        private static let keptOutputBytes = 4 << 20

        public init(level: Int32 = 1) throws(Failure) {
            // windowBits 15 + 16 selects the gzip wrapper.
            let status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else { throw Failure(code: status) }
        }

        deinit { deflateEnd(&stream) }

        /// `input` gzipped as one member; the compressor is ready for the next input afterwards.
        public func compress(_ input: [UInt8], slice: Int = .max, pause: () -> Void = {}) throws(Failure) -> [UInt8] {
            let reset = deflateReset(&stream)
            guard reset == Z_OK else { throw Failure(code: reset) }
            let bound = Int(deflateBound(&stream, UInt(input.count))) + 32
            if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
            defer { if output.count > Self.keptOutputBytes { output = [] } }
            let status = input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { destination in
                    stream.next_out = destination.baseAddress
                    stream.avail_out = uInt(destination.count)
                    // zlib reads the input through a non-const pointer but never writes it.
                    let base = source.baseAddress.map { UnsafeMutablePointer(mutating: $0) }
                    var offset = 0
                    repeat {
                        let count = min(slice, source.count - offset)
                        let last = offset + count == source.count
                        stream.next_in = base.map { $0 + offset }
                        stream.avail_in = uInt(count)
                        let status = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                        if last || status != Z_OK { return status }
                        offset += count
                        pause()
                    } while true
                }
            }
            guard status == Z_STREAM_END else { throw Failure(code: status) }
            return Array(output[..<Int(stream.total_out)])
        }
    }
}
