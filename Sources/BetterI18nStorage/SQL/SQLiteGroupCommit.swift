import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// Group commit for SQLite's one writer connection.
///
/// Write transactions that queue up while the writer is busy run together in one
/// `BEGIN IMMEDIATE … COMMIT`, each inside its own `SAVEPOINT`: a caller whose body throws has
/// only its own statements rolled back (`ROLLBACK TO`), the others stay. Every caller is answered
/// only after the `COMMIT` has returned, so nothing is acknowledged that a crash could lose; if
/// the group's transaction itself fails (the `COMMIT`, or an error that made SQLite abandon the
/// transaction), every caller in it gets an error and none of its writes remain.
///
/// Why: a rotation costs two statements of its own, but alone it also pays for `BEGIN`, `COMMIT`
/// (a WAL append of every page it touched) and a lock hand-over, each a round trip to the writer's
/// thread. Under load the group pays those once. `SAVEPOINT` and `RELEASE` are sent without
/// waiting for their answer: the writer's thread runs work in submission order, so they cost no
/// round trip; their results are checked before the `COMMIT`.
final class SQLiteGroupCommit: Sendable {
    private struct Job: Sendable {
        let body: @Sendable (any SQLDatabase) async throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State: Sendable {
        var queue: [Job] = []
        var draining = false
    }

    private let connection: SQLiteConnection
    /// The most transactions one `COMMIT` covers, so one group never holds the callers at its
    /// end for long.
    let maximumGroup: Int
    private let state = Mutex(State())
    /// Nanoseconds spent committing groups since the start: the writer's load, which webhook
    /// delivery watches to give way to request writes (``busyTime``).
    private let busyNanoseconds = Atomic<Int64>(0)

    /// How long the writer has been busy with transactions, all told.
    var busyTime: Duration { .nanoseconds(busyNanoseconds.load(ordering: .relaxed)) }

    init(connection: SQLiteConnection, maximumGroup: Int = 64) {
        self.connection = connection
        self.maximumGroup = max(1, maximumGroup)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let job = Job(body: { try await body($0) }, continuation: continuation)
            let start = state.withLock { state in
                state.queue.append(job)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
        return value as! T
    }

    /// Runs groups until the queue is empty; one drain at a time.
    private func drain() async {
        while true {
            let group: [Job] = state.withLock { state in
                guard !state.queue.isEmpty else {
                    state.draining = false
                    return []
                }
                let count = min(state.queue.count, maximumGroup)
                let group = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return group
            }
            if group.isEmpty { return }
            let started = ContinuousClock.now
            let unstarted = await commit(group)
            let elapsed = (ContinuousClock.now - started).components
            busyNanoseconds.add(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000, ordering: .relaxed)
            if !unstarted.isEmpty {
                state.withLock { $0.queue.insert(contentsOf: unstarted, at: 0) }
            }
        }
    }

    /// One transaction for `group`; answers every job it ran and returns those it did not start
    /// (after an earlier job broke the transaction), for the next group.
    private func commit(_ group: [Job]) async -> [Job] {
        let database = connection.sql(queryLogLevel: nil)
        do {
            try await database.raw("BEGIN IMMEDIATE").run()
        } catch {
            for job in group { job.continuation.resume(throwing: error) }
            return []
        }
        var outcomes: [Result<any Sendable, any Error>] = []
        var sent: [EventLoopFuture<[SQLiteRow]>] = []
        var failure: (any Error)?
        for (index, job) in group.enumerated() {
            let savepoint = "g\(index)"
            sent.append(connection.query("SAVEPOINT \(savepoint)"))
            do {
                outcomes.append(.success(try await job.body(database)))
                sent.append(connection.query("RELEASE \(savepoint)"))
            } catch {
                do {
                    try await database.raw("ROLLBACK TO \(unsafeRaw: savepoint)").run()
                    try await database.raw("RELEASE \(unsafeRaw: savepoint)").run()
                    outcomes.append(.failure(error))
                } catch {
                    // SQLite already abandoned the whole transaction (an I/O error, a full
                    // disk): nothing of this group remains.
                    failure = error
                    outcomes.append(.failure(error))
                    break
                }
            }
        }
        if failure == nil {
            for future in sent {
                do { _ = try await future.get() } catch {
                    failure = error
                    break
                }
            }
        }
        if failure == nil {
            do { try await database.raw("COMMIT").run() } catch { failure = error }
        }
        if let failure {
            try? await database.raw("ROLLBACK").run()
            for (job, outcome) in zip(group, outcomes) {
                if case .failure(let error) = outcome {
                    job.continuation.resume(throwing: error)
                } else {
                    job.continuation.resume(throwing: failure)
                }
            }
            return Array(group.dropFirst(outcomes.count))
        }
        for (job, outcome) in zip(group, outcomes) {
            job.continuation.resume(with: outcome)
        }
        return []
    }
}
