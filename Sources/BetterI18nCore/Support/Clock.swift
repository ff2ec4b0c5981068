import Foundation
import Synchronization

/// The source of "now" for everything that expires: sessions, codes, tokens, throttles.
///
/// Injected everywhere instead of calling `Date()` deep in the engine, so tests own time
/// (STYLE.md §6) and can move it forward without sleeping.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The real clock.
public struct SystemWallClock: WallClock {
    public init() {}
    /// Truncated to whole milliseconds, the precision of storage, so a value written and read
    /// back compares equal.
    public func now() -> Date { Date(millisecondsSince1970: Date().millisecondsSince1970) }
}

/// A clock that only moves when a test tells it to.
public final class ManualWallClock: WallClock {
    // A mutex rather than an actor: `now()` must be synchronous for callers deep in the engine.
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.current = Mutex(start)
    }

    public func now() -> Date {
        current.withLock { $0 }
    }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

extension Date {
    /// Milliseconds since 1970, the form every timestamp takes in storage.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    public init(millisecondsSince1970 ms: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(ms) / 1000)
    }

    /// ISO 8601 UTC with second precision, the form every time takes in the external contract.
    public var iso8601: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: self)
    }
}
