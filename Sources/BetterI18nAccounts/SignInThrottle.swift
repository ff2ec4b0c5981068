import BetterI18nCore
import Foundation

/// Counts failed sign-ins per account and per client address over a sliding minute (SPEC §4:
/// ten failures a minute → `429` with `Retry-After`).
///
/// Kept in memory: each instance throttles on its own, which bounds guessing to
/// instances × limit per minute; a shared store would be needed for a hard global bound.
public actor SignInThrottle {
    public let limit: Int
    public let window: TimeInterval
    private let clock: any WallClock
    private var failures: [String: [Date]] = [:]

    public init(limit: Int = 10, window: TimeInterval = 60, clock: any WallClock) {
        self.limit = limit
        self.window = window
        self.clock = clock
    }

    /// Seconds until the next attempt for any of `keys` is allowed, or nil when it is allowed now.
    public func retryAfter(for keys: [String]) -> Int? {
        let now = clock.now()
        var wait: TimeInterval = 0
        for key in keys {
            let recent = prune(key, now: now)
            if recent.count >= limit, let oldest = recent.first {
                wait = max(wait, oldest.addingTimeInterval(window).timeIntervalSince(now))
            }
        }
        return wait > 0 ? Int(wait.rounded(.up)) : nil
    }

    public func recordFailure(for keys: [String]) {
        let now = clock.now()
        for key in keys {
            var recent = prune(key, now: now)
            recent.append(now)
            failures[key] = recent
        }
        // Bound memory against a flood of distinct keys: forget entries whose window passed.
        if failures.count > 10_000 {
            failures = failures.filter { $0.value.last.map { now.timeIntervalSince($0) < window } ?? false }
        }
    }

    private func prune(_ key: String, now: Date) -> [Date] {
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = recent.isEmpty ? nil : recent
        return recent
    }
}
