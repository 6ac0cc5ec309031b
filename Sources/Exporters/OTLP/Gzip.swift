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
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper.
        var status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw Failure(code: status) }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        var input = input
        status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                var offset = 0
                repeat {
                    let count = min(slice, source.count - offset)
                    let last = offset + count == source.count
                    stream.next_in = source.baseAddress.map { $0 + offset }
                    stream.avail_in = uInt(count)
                    let status = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                    if last || status != Z_OK { return status }
                    offset += count
                    pause()
                } while true
            }
        }
        guard status == Z_STREAM_END else { throw Failure(code: status) }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
