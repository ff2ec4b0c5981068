@testable import BetterI18nStorage
import Foundation
import SQLKit
import Testing

/// Write transactions under concurrency, on every backend. On SQLite the transactions that queue
/// behind the writer are group-committed (one `COMMIT`, a savepoint each): one caller's failure
/// must roll back its own statements only, and each caller must get its own answer.
@Suite struct WriteTransactionTests {
    private struct Refused: Error {}

    @Test(arguments: Backend.available)
    func aFailingTransactionInAGroupRollsBackOnlyItsOwnStatements(backend: Backend) async throws {
        let storage = try await backend.open()
        let driver = storage.driver
        let table = "write_group_" + Unique.suffix()
        try await driver.write { try await $0.raw("CREATE TABLE \(unsafeRaw: table) (id TEXT PRIMARY KEY)").run() }
        // A slow transaction holds the writer, so the thirty below queue up behind it (and, on
        // SQLite, run as one group). They start once its row is written: on PostgreSQL a fresh
        // pool's first connection can take longer than any fixed wait, and one of them would
        // then write 'holder' first.
        let (written, signal) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await driver.write { database in
                try await database.raw("INSERT INTO \(unsafeRaw: table) (id) VALUES ('holder')").run()
                signal.yield()
                try await Task.sleep(for: .milliseconds(300))
            }
        }
        var holding = written.makeAsyncIterator()
        _ = await holding.next()
        let outcomes = await withTaskGroup(of: (index: Int, answer: String?).self) { group in
            for index in 0..<30 {
                group.addTask {
                    let answer = try? await driver.write { database in
                        try await database.raw("INSERT INTO \(unsafeRaw: table) (id) VALUES (\(bind: "a\(index)"))").run()
                        switch index % 3 {
                        case 0: // a unique violation after a successful insert
                            try await database.raw("INSERT INTO \(unsafeRaw: table) (id) VALUES ('holder')").run()
                        case 1: // a Swift error after a successful insert
                            throw Refused()
                        default:
                            break
                        }
                        return "a\(index)"
                    }
                    return (index, answer)
                }
            }
            return await group.reduce(into: [(index: Int, answer: String?)]()) { $0.append($1) }
        }
        try await holder.value
        let ids = Set(try await driver.read { database in
            try await database.raw("SELECT id FROM \(unsafeRaw: table)").all().map { try $0.decode(column: "id", as: String.self) }
        })
        #expect(outcomes.count == 30)
        for (index, answer) in outcomes {
            let succeeds = index % 3 == 2
            #expect(answer == (succeeds ? "a\(index)" : nil))
            #expect(ids.contains("a\(index)") == succeeds, "row a\(index)")
        }
        #expect(ids.contains("holder"))
        try await driver.write { try await $0.raw("DROP TABLE \(unsafeRaw: table)").run() }
    }

    @Test(arguments: Backend.available)
    func manyConcurrentWritesAllLandAndAnswerTheirOwnCaller(backend: Backend) async throws {
        let storage = try await backend.open()
        let driver = storage.driver
        let table = "write_many_" + Unique.suffix()
        try await driver.write { try await $0.raw("CREATE TABLE \(unsafeRaw: table) (id TEXT PRIMARY KEY, n INTEGER NOT NULL)").run() }
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for index in 0..<200 {
                group.addTask {
                    let n = try await driver.write { database in
                        try await database.raw("INSERT INTO \(unsafeRaw: table) (id, n) VALUES (\(bind: "r\(index)"), \(bind: index))").run()
                        return try await database.raw("SELECT n FROM \(unsafeRaw: table) WHERE id = \(bind: "r\(index)")")
                            .first()!.decode(column: "n", as: Int.self)
                    }
                    return (index, n)
                }
            }
            return try await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
        }
        #expect(answers.count == 200)
        #expect(answers.allSatisfy { $0.0 == $0.1 })
        let count = try await driver.read { try await $0.raw("SELECT COUNT(*) AS c FROM \(unsafeRaw: table)").first()!.decode(column: "c", as: Int.self) }
        #expect(count == 200)
        try await driver.write { try await $0.raw("DROP TABLE \(unsafeRaw: table)").run() }
    }

    /// A read that begins after a write has committed sees it, even when the reader connection it
    /// lands on is still stepping through a long statement begun before the write (on SQLite a
    /// statement started beside another on the same connection shares that one's older snapshot).
    @Test(arguments: Backend.available)
    func aReadBegunAfterACommitSeesItWhileItsConnectionIsBusy(backend: Backend) async throws {
        let storage = try await backend.open()
        let driver = storage.driver
        let table = "read_after_commit_" + Unique.suffix()
        try await driver.write { database in
            try await database.raw("CREATE TABLE \(unsafeRaw: table) (v INTEGER)").run()
            try await database.raw("INSERT INTO \(unsafeRaw: table) (v) VALUES (0)").run()
        }
        // A long read on one reader connection, streaming rows (its snapshot is taken now, before
        // the update)...
        let long = Task {
            try await driver.read { database in
                try await database.raw("""
                    WITH RECURSIVE c(x) AS (SELECT v FROM \(unsafeRaw: table) UNION ALL SELECT x + 1 FROM c WHERE x < 200000)
                    SELECT x FROM c
                    """).all().count
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        // ...one on the other (readers take turns), so the read below lands on the busy one.
        _ = try await driver.read { try await $0.raw("SELECT 1").all() }
        try await driver.write { try await $0.raw("UPDATE \(unsafeRaw: table) SET v = 1").run() }
        let seen = try await driver.read { database in
            try await database.raw("SELECT v FROM \(unsafeRaw: table)").first().map { try $0.decode(column: "v", as: Int.self) }
        }
        #expect(seen == 1)
        #expect(try await long.value == 200_001)
        try await driver.write { try await $0.raw("DROP TABLE \(unsafeRaw: table)").run() }
    }
}
