import Foundation
import Synchronization

/// Counts requests per key in fixed windows and says when a key is over its limit.
///
/// Used for the token endpoint (per authenticated client, and failed client authentication per
/// address), dynamic registration (per address), installation-token mints (per grant) and the
/// partner API (per token). In memory per instance; the clock is injected so tests move time.
///
/// At most `capacity` keys are tracked: past it, windows that ended are dropped first, then the
/// oldest windows, so a flood of distinct keys cannot grow memory without bound (a dropped key
/// starts a fresh window, which only ever favours the flooder's own keys).
public final class RateLimiter: Sendable {
    /// The outcome of one request, with what the `X-RateLimit-*` headers report.
    public struct Decision: Sendable, Equatable {
        public let allowed: Bool
        public let limit: Int
        public let remaining: Int
        /// When the current window ends.
        public let reset: Date
        /// Whole seconds until the window ends, for `Retry-After`.
        public let retryAfter: Int
    }

    public let limit: Int
    public let window: TimeInterval
    private let clock: any WallClock
    /// A mutex rather than an actor: the check is a few instructions on every request, and an
    /// actor hop would cost more than the work.
    private let windows = Mutex<[String: Window]>([:])

    private struct Window {
        var start: Date
        var count: Int
    }

    public let capacity: Int

    public init(limit: Int, window: TimeInterval, clock: any WallClock, capacity: Int = 50_000) {
        self.limit = limit
        self.window = window
        self.clock = clock
        self.capacity = max(1, capacity)
    }

    /// How many keys are tracked now (bounded by `capacity`).
    public var trackedKeys: Int { windows.withLock { $0.count } }

    /// Counts one request for `key` and decides whether it may proceed.
    public func record(_ key: String) -> Decision {
        let now = clock.now()
        let window = self.window
        let capacity = self.capacity
        let entry = windows.withLock { windows in
            var entry = windows[key] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(entry.start) >= window {
                entry = Window(start: now, count: 0)
            }
            entry.count += 1
            windows[key] = entry
            if windows.count > capacity {
                windows = windows.filter { now.timeIntervalSince($0.value.start) < window }
                if windows.count > capacity {
                    // Still full of live windows: keep the newest half.
                    let newest = windows.sorted { $0.value.start > $1.value.start }.prefix(capacity / 2)
                    windows = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
                    windows[key] = entry
                }
            }
            return entry
        }
        return decision(count: entry.count, start: entry.start, now: now)
    }

    private func decision(count: Int, start: Date, now: Date) -> Decision {
        let reset = start.addingTimeInterval(window)
        return Decision(
            allowed: count <= limit,
            limit: limit,
            remaining: max(0, limit - count),
            reset: reset,
            retryAfter: max(1, Int(reset.timeIntervalSince(now).rounded(.up)))
        )
    }
}
