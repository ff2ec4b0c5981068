import BetterI18nCore
import Foundation

/// Counts failed sign-ins per account and per client address over a sliding minute (SPEC §4:
/// ten failures a minute → `429` with `Retry-After`).
///
/// An attempt is counted as a failure *before* bcrypt runs (``admit(_:)``) and forgiven when it
/// succeeds (``succeeded(_:)``): were it counted after, a burst of concurrent wrong passwords
/// would all pass the check while the first ones were still hashing, and all run bcrypt.
///
/// Kept in memory: each instance throttles on its own, which bounds guessing to
/// instances × limit per minute; a shared store would be needed for a hard global bound. At most
/// `capacity` keys are tracked, so a flood of distinct addresses cannot grow memory unbounded.
public actor SignInThrottle {
    public let limit: Int
    public let window: TimeInterval
    public let capacity: Int
    private let clock: any WallClock
    private var failures: [String: [Date]] = [:]

    public init(limit: Int = 10, window: TimeInterval = 60, capacity: Int = 10_000, clock: any WallClock) {
        self.limit = limit
        self.window = window
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// Counts an attempt for every key and answers nil, or — when any key is already at its limit —
    /// counts nothing and answers the seconds until an attempt is allowed again.
    public func admit(_ keys: [String]) -> Int? {
        let now = clock.now()
        var wait: TimeInterval = 0
        for key in keys {
            let recent = prune(key, now: now)
            if recent.count >= limit, let oldest = recent.first {
                wait = max(wait, oldest.addingTimeInterval(window).timeIntervalSince(now))
            }
        }
        if wait > 0 { return max(1, Int(wait.rounded(.up))) }
        for key in keys { failures[key, default: []].append(now) }
        bound(now: now)
        return nil
    }

    /// The attempt admitted for `keys` succeeded: it was no failure after all.
    public func succeeded(_ keys: [String]) {
        for key in keys {
            guard var recent = failures[key], !recent.isEmpty else { continue }
            recent.removeLast()
            failures[key] = recent.isEmpty ? nil : recent
        }
    }

    /// How many keys are tracked now (bounded by `capacity`).
    public var trackedKeys: Int { failures.count }

    private func bound(now: Date) {
        guard failures.count > capacity else { return }
        failures = failures.filter { $0.value.last.map { now.timeIntervalSince($0) < window } ?? false }
        if failures.count > capacity {
            // Still full of live entries: keep the most recently active half.
            let newest = failures.sorted { ($0.value.last ?? .distantPast) > ($1.value.last ?? .distantPast) }.prefix(capacity / 2)
            failures = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
        }
    }

    private func prune(_ key: String, now: Date) -> [Date] {
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = recent.isEmpty ? nil : recent
        return recent
    }
}
