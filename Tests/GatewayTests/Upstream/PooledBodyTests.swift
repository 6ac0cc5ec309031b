import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Gateway

/// The pooled body's hand-over between the connection's handler and the one reader: order, the end and
/// failures after what is held, the watermarks, and a reader that leaves early.
@Suite("Pooled response body")
struct PooledBodyTests {
    /// What the body told its producer.
    final class Signals: Sendable {
        let produceMore = Atomic<Int>(0)
        let terminated = Atomic<Int>(0)
    }

    static func body(on loop: any EventLoop) -> (PooledBody, Signals) {
        let signals = Signals()
        let demand = PooledBody.Demand(
            produceMore: { signals.produceMore.add(1, ordering: .relaxed) },
            terminated: { signals.terminated.add(1, ordering: .relaxed) }
        )
        return (PooledBody(eventLoop: loop, demand: demand), signals)
    }

    static func chunk(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("chunks come out in order, held or waited for, then the end; a failure comes after what is held")
    func orderAndEnd() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let (body, _) = Self.body(on: loop)
        let reader = PooledBodyReader(body)
        try await loop.submit {
            #expect(body.yield(Self.chunk("a")))
            #expect(body.yield(Self.chunk("b")))
        }.get()
        #expect(try await reader.next().map { String(buffer: $0) } == "a")
        #expect(try await reader.next().map { String(buffer: $0) } == "b")
        // Nothing held: the reader waits until the handler's next read.
        async let waited = reader.next()
        try await Task.sleep(for: .milliseconds(20))
        try await loop.submit { _ = body.yield(Self.chunk("c")) }.get()
        #expect(try await waited.map { String(buffer: $0) } == "c")
        try await loop.submit {
            _ = body.yield(Self.chunk("d"))
            body.finish()
        }.get()
        #expect(try await reader.next().map { String(buffer: $0) } == "d")
        #expect(try await reader.next() == nil)
        #expect(try await reader.next() == nil)

        let (failing, _) = Self.body(on: loop)
        let failingReader = PooledBodyReader(failing)
        struct Broken: Error {}
        try await loop.submit {
            _ = failing.yield(Self.chunk("held"))
            failing.finish(Broken())
        }.get()
        #expect(try await failingReader.next().map { String(buffer: $0) } == "held")
        await #expect(throws: Broken.self) { try await failingReader.next() }
    }

    @Test("at the high watermark the producer is told to stop; taken down to the low one, it is asked for more")
    func watermarks() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let (body, signals) = Self.body(on: loop)
        let reader = PooledBodyReader(body)
        let accepted = try await loop.submit {
            (1...PooledBody.highWatermark).map { body.yield(Self.chunk("\($0)")) }
        }.get()
        #expect(accepted == Array(repeating: true, count: PooledBody.highWatermark - 1) + [false])
        for index in 1...(PooledBody.highWatermark - PooledBody.lowWatermark - 1) {
            #expect(try await reader.next().map { String(buffer: $0) } == "\(index)")
            #expect(signals.produceMore.load(ordering: .relaxed) == 0)
        }
        _ = try await reader.next()
        #expect(signals.produceMore.load(ordering: .relaxed) == 1)
        // Asked once: reading on to empty asks no more, and a reader that keeps up is never stopped.
        _ = try await reader.next()
        _ = try await reader.next()
        #expect(signals.produceMore.load(ordering: .relaxed) == 1)
        #expect(try await loop.submit { body.yield(Self.chunk("more")) }.get())
        #expect(signals.terminated.load(ordering: .relaxed) == 0)
    }

    @Test("a reader cancelled while waiting, or one that lets go before the end, ends the exchange")
    func readerLeaves() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let (body, signals) = Self.body(on: loop)
        let reader = PooledBodyReader(body)
        let waiting = Task { try await reader.next() }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        try await Self.eventually { signals.terminated.load(ordering: .relaxed) == 1 }
        // A chunk arriving afterwards is dropped; the producer is not stopped by it.
        #expect(try await loop.submit { body.yield(Self.chunk("late")) }.get())

        let (dropped, droppedSignals) = Self.body(on: loop)
        do {
            let early = PooledBodyReader(dropped)
            try await loop.submit { _ = dropped.yield(Self.chunk("first")) }.get()
            _ = try await early.next()
        }
        try await Self.eventually { droppedSignals.terminated.load(ordering: .relaxed) == 1 }
    }

    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }
}
