import Synchronization

/// A small in-memory cache whose entries are trusted for a bounded time, measured on the
/// monotonic clock (real elapsed time, whatever the injected wall clock says).
///
/// Used where the spec bounds staleness — "any revocation is effective everywhere within one
/// second" (SPEC §6.1) — so another instance's change is seen within `lifetime`, and this
/// instance's own changes at once by ``removeAll()`` or ``remove(_:)``.
public final class FreshnessCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let stored: ContinuousClock.Instant
    }

    public let lifetime: Duration
    private let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    public init(lifetime: Duration, capacity: Int = 50_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public func value(for key: Key) -> Value? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now - entry.stored < lifetime else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    public func store(_ value: Value, for key: Key) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, stored: now)
        }
    }

    public func remove(_ key: Key) {
        entries.withLock { _ = $0.removeValue(forKey: key) }
    }

    public func removeAll() {
        entries.withLock { $0.removeAll(keepingCapacity: true) }
    }
}
