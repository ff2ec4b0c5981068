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

    /// ISO 8601 UTC with second precision (`2026-11-27T15:04:05Z`), the form every time takes in
    /// the external contract. Computed by hand: a formatter per call was measurable on hot paths.
    public var iso8601: String {
        var seconds = time_t(timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// ISO 8601 UTC with milliseconds (`2026-05-01T12:00:00.123Z`), for the CDN manifest, where
    /// two releases within one second must still differ.
    public var iso8601Milliseconds: String {
        let ms = millisecondsSince1970
        let millis = Int(((ms % 1000) + 1000) % 1000)
        let whole = Date(millisecondsSince1970: ms - Int64(millis)).iso8601
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return whole.dropLast() + ".\(fraction)Z"
    }
}
