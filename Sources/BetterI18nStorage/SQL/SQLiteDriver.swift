import Foundation
import Logging
import SQLKit
import SQLiteKit
import SQLiteNIO
import NIOPosix
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The embedded default backend: one SQLite file in WAL mode.
///
/// One writer connection whose transactions are group-committed (``SQLiteGroupCommit``: those
/// that queue up run in one `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint; the write lock
/// is taken up front, so no deadlock when a transaction upgrades from reading); a few reader
/// connections that WAL lets run beside the writer. Another process (an `admin`
/// command beside a running server) waits on `busy_timeout` instead of failing.
///
/// Every connection has a thread of its own, so its statements run one after another. On a
/// shared pool two statements of one reader ran at once, and SQLite gives a statement that starts
/// while another is still stepping on the same connection that statement's read transaction:
/// a read begun after a commit could miss it (a client's `GET` right after its `PUT`, or the
/// rows a claim had just taken). One statement at a time, each starts its own snapshot.
public final class SQLiteDriver: SQLDriver {
    public let backendName = "sqlite"
    public let migrationLockStatements: [String] = []

    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let groupCommit: SQLiteGroupCommit
    private let nextReader = Atomic<Int>(0)
    /// The writer's own thread: SQLite calls block, and the one writer — the bottleneck of every
    /// write — must never queue behind reads on a shared pool.
    private let writerThread: NIOThreadPool
    /// One thread per reader: its statements in turn, each with a snapshot of its own.
    private let readerThreads: [NIOThreadPool]

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], writerThread: NIOThreadPool, readerThreads: [NIOThreadPool]) {
        self.writer = writer
        self.groupCommit = SQLiteGroupCommit(connection: writer)
        self.readers = readers
        self.writerThread = writerThread
        self.readerThreads = readerThreads
    }

    /// Opens (creating if needed) the database file and its parent directory.
    public static func open(path: String, readerCount: Int = 2, logger: Logger) async throws -> SQLiteDriver {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw StorageError.unavailable("cannot create the directory for \(path): \(error.localizedDescription)")
        }
        var opened: [SQLiteConnection] = []
        let writerThread = NIOThreadPool(numberOfThreads: 1)
        writerThread.start()
        let readerThreads = (0..<max(1, readerCount)).map { _ in NIOThreadPool(numberOfThreads: 1) }
        for thread in readerThreads { thread.start() }
        do {
            let writer = try await SQLiteConnection.open(
                storage: .file(path: url.path), threadPool: writerThread, logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any()
            )
            opened.append(writer)
            try await configure(writer)
            // WAL is a property of the file, set once through the writer; it persists.
            _ = try await writer.query("PRAGMA journal_mode = WAL")
            for thread in readerThreads {
                let connection = try await SQLiteConnection.open(
                    storage: .file(path: url.path), threadPool: thread, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()
                )
                opened.append(connection)
                try await configure(connection)
            }
            return SQLiteDriver(writer: writer, readers: Array(opened.dropFirst()), writerThread: writerThread, readerThreads: readerThreads)
        } catch {
            for connection in opened { try? await connection.close() }
            try? await writerThread.shutdownGracefully()
            for thread in readerThreads { try? await thread.shutdownGracefully() }
            throw StorageError.unavailable(
                "cannot open SQLite database at \(path): \(Self.describe(error))\(Self.writabilityHint(for: url))"
            )
        }
    }

    /// Names the usual cause of a failed open that SQLite's own message leaves out: a directory
    /// or file this user may not write — a read-only volume, or a bind mount owned by another user.
    private static func writabilityHint(for url: URL) -> String {
        let files = FileManager.default
        let directory = url.deletingLastPathComponent().path
        if files.fileExists(atPath: url.path), !files.isWritableFile(atPath: url.path) {
            return " (\(url.path) is not writable by uid \(getuid()))"
        }
        if !files.isWritableFile(atPath: directory) {
            return " (the directory \(directory) is not writable by uid \(getuid()): a read-only volume, or one owned by another user?)"
        }
        return ""
    }

    private static func configure(_ connection: SQLiteConnection) async throws {
        // busy_timeout replaces sqlite-nio's spin-forever busy handler with SQLite's sleeping
        // one: a second process waits up to 10 s for the write lock, then fails cleanly.
        _ = try await connection.query("PRAGMA busy_timeout = 10000")
        _ = try await connection.query("PRAGMA foreign_keys = ON")
        _ = try await connection.query("PRAGMA synchronous = NORMAL")
    }

    public var writerBusyTime: Duration? { groupCommit.busyTime }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.add(1, ordering: .relaxed).oldValue
        let connection = readers[abs(index % readers.count)]
        return try await body(connection.sql(queryLogLevel: nil))
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await groupCommit.run(body)
    }

    public func classify(_ error: any Error) -> StorageError {
        guard let error = error as? SQLiteError else {
            return .unavailable(Self.describe(error))
        }
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
            return .conflict(error.message)
        case .constraintForeignKeyFailed:
            return .notFound(error.message)
        default:
            return .unavailable(error.message)
        }
    }

    public func close() async throws {
        try await writer.close()
        for reader in readers { try await reader.close() }
        try await writerThread.shutdownGracefully()
        for thread in readerThreads { try await thread.shutdownGracefully() }
    }

    /// A driver dropped without ``close()`` still releases its file handles (sqlite-nio
    /// asserts that every connection is closed before it is freed).
    deinit {
        // Each close runs on its connection's thread; stop the thread only after it.
        for (reader, thread) in zip(readers, readerThreads) {
            if reader.isClosed {
                thread.shutdownGracefully { _ in }
            } else {
                reader.close().whenComplete { _ in thread.shutdownGracefully { _ in } }
            }
        }
        let thread = writerThread
        if writer.isClosed {
            thread.shutdownGracefully { _ in }
        } else {
            // The close runs on the writer's thread; stop the thread only after it.
            writer.close().whenComplete { _ in thread.shutdownGracefully { _ in } }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? SQLiteError { return error.message }
        if let error = error as? StorageError { return error.detail }
        return String(describing: error)
    }
}
