import BetterI18nCore
import Synchronization

/// Lets webhook delivery give way to request writes when they compete for the database's one
/// writer.
///
/// On SQLite every write transaction waits for the one writer, and a saturated
/// `PUT …/translations` keeps it busy all the time (measured: 99 % of the wall clock, with a
/// third of the CPU idle). Each delivery also needs the writer — to fan its event out, to claim
/// it and to log its attempt — so delivering as fast as events were raised took a fifth to a
/// third of the writes' throughput. So while requests keep arriving *and* the writer is busy
/// more than `saturated` of the time, the dispatcher's loops share one pass per `busyInterval`
/// (a batch of up to `batchSize` deliveries: a floor, so the queue keeps moving under a
/// sustained load), and they deliver at full speed again as soon as requests pause for
/// `quietAfter` or the writer has time to spare — a steady, moderate load does not hold
/// deliveries back. Where writes do not share one writer (PostgreSQL) there is nothing to
/// give way to, and the pacer never waits. What pacing costs is lag, not loss: the queue keeps
/// every delivery, and `/metrics` shows the age of the oldest pending one.
final class DispatchPacer: Sendable {
    enum Decision: Equatable {
        /// Pass now.
        case go
        /// Give way: the next pass is this far away.
        case wait(Duration)
    }

    private let traffic: RequestTraffic
    private let writer: WriterLoad
    private let busyInterval: Duration
    private let quietAfter: Duration
    private let saturated: Double
    /// When the next pass may start while giving way.
    private let nextPass = Mutex<ContinuousClock.Instant?>(nil)

    /// How long a waiting loop sleeps before it asks again: when requests stop, loops notice
    /// within `quietAfter` instead of sleeping out a whole interval.
    var recheck: Duration { min(busyInterval, quietAfter) }

    init(traffic: RequestTraffic, writer: WriterLoad, busyInterval: Duration, quietAfter: Duration, saturated: Double) {
        self.traffic = traffic
        self.writer = writer
        self.busyInterval = busyInterval
        self.quietAfter = quietAfter
        self.saturated = saturated
    }

    /// Whether a loop may pass at `now`; a `.go` while giving way takes the one pass of its
    /// interval. A quiet moment clears the schedule, so giving way starts afresh with a pass.
    func decide(at now: ContinuousClock.Instant) -> Decision {
        guard let last = traffic.lastRequestStarted, last.duration(to: now) < quietAfter,
              let load = writer.busyShare(at: now), load >= saturated
        else {
            nextPass.withLock { $0 = nil }
            return .go
        }
        return nextPass.withLock { next in
            if let due = next, now < due { return .wait(now.duration(to: due)) }
            next = now.advanced(by: busyInterval)
            return .go
        }
    }
}

/// The share of the recent wall clock the database's writer spent in transactions, from its
/// running total (``Storage/writerBusyTime``), measured over windows of `window`: asking often
/// costs nothing.
final class WriterLoad: Sendable {
    private struct Sample {
        var at: ContinuousClock.Instant
        var busy: Duration
        var share: Double
    }

    private let busyTime: @Sendable () -> Duration?
    private let window: Duration
    private let last = Mutex<Sample?>(nil)

    init(window: Duration = .milliseconds(250), busyTime: @escaping @Sendable () -> Duration?) {
        self.window = window
        self.busyTime = busyTime
    }

    /// From 0 (idle) to 1 (never idle) over the latest complete window; nil when the storage
    /// has no single writer.
    func busyShare(at now: ContinuousClock.Instant) -> Double? {
        last.withLock { last in
            if let previous = last, previous.at.duration(to: now) < window { return previous.share }
            guard let busy = busyTime() else { return nil }
            var share = 0.0
            if let previous = last {
                share = min(1, max(0, (busy - previous.busy) / previous.at.duration(to: now)))
            }
            last = Sample(at: now, busy: busy, share: share)
            return share
        }
    }
}
