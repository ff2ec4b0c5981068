import Foundation
import Synchronization

/// Counts requests per key in fixed windows and says when a key is over its limit.
///
/// Used for the token endpoint (per client), dynamic registration (per address) and, later, the
/// partner API (per token). In memory per instance; the clock is injected so tests move time.
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

    public init(limit: Int, window: TimeInterval, clock: any WallClock) {
        self.limit = limit
        self.window = window
        self.clock = clock
    }

    /// Counts one request for `key` and decides whether it may proceed.
    public func record(_ key: String) -> Decision {
        let now = clock.now()
        let window = self.window
        let entry = windows.withLock { windows in
            var entry = windows[key] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(entry.start) >= window {
                entry = Window(start: now, count: 0)
            }
            entry.count += 1
            windows[key] = entry
            if windows.count > 50_000 {
                windows = windows.filter { now.timeIntervalSince($0.value.start) < window }
            }
            return entry
        }
        let reset = entry.start.addingTimeInterval(window)
        return Decision(
            allowed: entry.count <= limit,
            limit: limit,
            remaining: max(0, limit - entry.count),
            reset: reset,
            retryAfter: max(1, Int(reset.timeIntervalSince(now).rounded(.up)))
        )
    }
}
