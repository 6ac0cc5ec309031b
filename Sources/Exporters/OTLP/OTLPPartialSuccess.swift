import Foundation

/// Reads `partial_success.rejected_spans` from an `ExportTraceServiceResponse`, protobuf or JSON:
/// a 200 can still mean the collector refused some spans, and those are drops to count.
enum OTLPPartialSuccess {
    static func rejectedSpans(in body: [UInt8], format: OTLPTraceEncoder.WireFormat) -> Int {
        guard !body.isEmpty else { return 0 }
        switch format {
        case .protobuf:
            // Field 1 (partial_success, a message) → its field 1 (rejected_spans, int64 varint).
            guard let partial = field(1, in: body[...]), let rejected = varintField(1, in: partial) else { return 0 }
            return Int(truncatingIfNeeded: Int64(bitPattern: rejected))
        case .json:
            // A body that is not a JSON response reports nothing rejected (the status already said 200).
            let response = try? JSONDecoder().decode(JSONResponse.self, from: Data(body))
            return response?.partialSuccess?.rejectedSpans?.value ?? 0
        }
    }

    /// `ExportTraceServiceResponse` in OTLP/JSON: int64 fields are strings there, numbers at some collectors.
    private struct JSONResponse: Decodable {
        struct PartialSuccess: Decodable { var rejectedSpans: Count? }
        struct Count: Decodable {
            var value: Int
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    value = Int(text) ?? 0
                } else {
                    value = try container.decode(Int.self)
                }
            }
        }
        var partialSuccess: PartialSuccess?
    }

    private static func readVarint(_ bytes: ArraySlice<UInt8>, at index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    /// Walks top-level fields, calling `visit(number, wireType, payloadRange-or-varint)`.
    private static func scan(_ bytes: ArraySlice<UInt8>, _ visit: (Int, UInt64, ArraySlice<UInt8>?, UInt64?) -> Bool) {
        var index = bytes.startIndex
        while index < bytes.endIndex, let key = readVarint(bytes, at: &index) {
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                guard let value = readVarint(bytes, at: &index) else { return }
                if visit(number, 0, nil, value) { return }
            case 1: index = bytes.endIndex - index >= 8 ? index + 8 : bytes.endIndex
            case 2:
                // The length comes from the wire: compared before any conversion, so no value can trap.
                guard let length = readVarint(bytes, at: &index), length <= UInt64(bytes.endIndex - index) else { return }
                if visit(number, 2, bytes[index..<index + Int(length)], nil) { return }
                index += Int(length)
            case 5: index = bytes.endIndex - index >= 4 ? index + 4 : bytes.endIndex
            default: return
            }
        }
    }

    private static func field(_ wanted: Int, in bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var found: ArraySlice<UInt8>?
        scan(bytes) { number, type, payload, _ in
            if number == wanted, type == 2 { found = payload }
            return found != nil
        }
        return found
    }

    private static func varintField(_ wanted: Int, in bytes: ArraySlice<UInt8>) -> UInt64? {
        var found: UInt64?
        scan(bytes) { number, type, _, value in
            if number == wanted, type == 0 { found = value }
            return found != nil
        }
        return found
    }
}
