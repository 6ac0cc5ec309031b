import NIOCore
import Synchronization

/// The in-process tier: least recently used entries go first once the bytes held would exceed `capacity`;
/// entries also expire after the TTL. Never holds more than `capacity` bytes, counting each entry's key and its
/// bookkeeping besides the answer (``cost(key:value:)``): with answers of a few hundred bytes, counting the answers
/// alone let the process hold about twice what `max_size_mb` says.
final class MemoryCacheTier: Sendable {
    private final class Node: @unchecked Sendable {
        let key: String
        var value: ByteBuffer
        var expires: ContinuousClock.Instant
        var newer: Node?
        weak var older: Node?

        init(key: String, value: ByteBuffer, expires: ContinuousClock.Instant) {
            self.key = key
            self.value = value
            self.expires = expires
        }
    }

    /// Nodes by key, and a list from most (`newest`) to least (`oldest`) recently used.
    private struct Store {
        var nodes: [String: Node] = [:]
        var newest: Node?
        var oldest: Node?
        var bytes = 0

        mutating func unlink(_ node: Node) {
            if let older = node.older { older.newer = node.newer } else { oldest = node.newer }
            if let newer = node.newer { newer.older = node.older } else { newest = node.older }
            node.newer = nil
            node.older = nil
        }

        mutating func pushNewest(_ node: Node) {
            node.older = newest
            newest?.newer = node
            newest = node
            if oldest == nil { oldest = node }
        }

        mutating func remove(_ node: Node) {
            unlink(node)
            nodes[node.key] = nil
            bytes -= MemoryCacheTier.cost(key: node.key, value: node.value)
        }
    }

    let capacity: Int
    private let store = Mutex(Store())

    init(capacityBytes: Int) {
        capacity = capacityBytes
    }

    var bytesHeld: Int { store.withLock { $0.bytes } }

    /// What an entry takes: its answer, its key, and about what its node, the node's weak link and its dictionary
    /// slot take besides.
    static func cost(key: String, value: ByteBuffer) -> Int {
        value.readableBytes + key.utf8.count + 192
    }

    func get(_ key: String, now: ContinuousClock.Instant = .now) -> ByteBuffer? {
        store.withLock { store in
            guard let node = store.nodes[key] else { return nil }
            guard node.expires > now else {
                store.remove(node)
                return nil
            }
            store.unlink(node)
            store.pushNewest(node)
            return node.value
        }
    }

    /// Stores `value` unless it alone is larger than an eighth of the capacity (one answer must not flush the
    /// rest); returns how many older entries it pushed out (nil when it was not stored). What is kept is a copy of
    /// just its bytes: a buffer with room to spare (a collected body) would hold more than it is counted for.
    @discardableResult
    func set(_ key: String, _ value: ByteBuffer, ttl: Duration, now: ContinuousClock.Instant = .now) -> Int? {
        let cost = Self.cost(key: key, value: value)
        guard cost <= capacity / 8 else { return nil }
        let kept = value.capacity > value.readableBytes ? ByteBuffer(bytes: value.readableBytesView) : value
        return store.withLock { store in
            if let existing = store.nodes[key] { store.remove(existing) }
            let node = Node(key: key, value: kept, expires: now + ttl)
            store.nodes[key] = node
            store.pushNewest(node)
            store.bytes += cost
            var evicted = 0
            while store.bytes > capacity, let oldest = store.oldest {
                store.remove(oldest)
                evicted += 1
            }
            return evicted
        }
    }

    /// Forgets `key`; whether it held a live entry.
    func remove(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        store.withLock { store in
            guard let node = store.nodes[key] else { return false }
            store.remove(node)
            return node.expires > now
        }
    }
}
