import Testing

@testable import Telemetry

@Suite("Owned bytes")
struct OwnedBytesTests {
    @Test("writes grow the buffer past its capacity and keep every byte; a gap moves what follows")
    func growthAndGaps() {
        var owned = OwnedBytes(capacity: 16)
        var expected: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2_000 {
            if round % 3 == 0 {
                let chunk = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                chunk.withUnsafeBufferPointer { owned.write($0) }
                expected += chunk
            } else {
                let byte = UInt8(truncatingIfNeeded: round)
                owned.write(byte)
                expected.append(byte)
            }
        }
        #expect(owned.count == expected.count)
        #expect(owned.array == expected)
        // A gap in the middle, filled afterwards through the subscript; one at the end.
        owned.insertGap(3, at: 10)
        for index in 10..<13 { owned[index] = 0xEE }
        expected.insert(contentsOf: [0xEE, 0xEE, 0xEE], at: 10)
        owned.insertGap(2, at: owned.count)
        owned[owned.count - 2] = 1
        owned[owned.count - 1] = 2
        expected += [1, 2]
        #expect(owned.array == expected)
        var text = OwnedBytes(capacity: 1)
        text.write("static ")
        text.write(utf8: "ünïcödé " + String(repeating: "x", count: 40))
        #expect(text.array == Array(("static ünïcödé " + String(repeating: "x", count: 40)).utf8))
    }
}
