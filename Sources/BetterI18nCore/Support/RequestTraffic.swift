import Synchronization

/// When the server last began a request, so that work in the background (webhook delivery)
/// can give way to the requests people and partners are waiting on.
///
/// One relaxed atomic store per request: the cheapest signal there is, and all a pacer needs —
/// "has a request started lately?". Requests that run long (an MCP stream, a big export) count
/// when they start, not while they last, so an open stream does not hold background work back.
public final class RequestTraffic: Sendable {
    /// Instants are kept as nanoseconds after this one (atomics take integers).
    private let origin: ContinuousClock.Instant
    private let lastStart: Atomic<Int64>
    private static let never = Int64.min

    public init(origin: ContinuousClock.Instant = .now) {
        self.origin = origin
        self.lastStart = Atomic(Self.never)
    }

    /// Called by the HTTP layer as each request begins.
    public func requestStarted(at instant: ContinuousClock.Instant = .now) {
        lastStart.store(nanoseconds(since: instant), ordering: .relaxed)
    }

    /// When the latest request began, or nil when none has.
    public var lastRequestStarted: ContinuousClock.Instant? {
        let value = lastStart.load(ordering: .relaxed)
        return value == Self.never ? nil : origin.advanced(by: .nanoseconds(value))
    }

    private func nanoseconds(since instant: ContinuousClock.Instant) -> Int64 {
        let elapsed = origin.duration(to: instant).components
        return elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
    }
}
