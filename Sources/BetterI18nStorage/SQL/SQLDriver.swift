import SQLKit

/// A connection to one SQL backend, as ``SQLStorage`` needs it: reads, write transactions and
/// the backend's way of naming errors. SQLite and PostgreSQL each provide one; everything
/// above speaks portable SQL through SQLKit, so one query serves both.
public protocol SQLDriver: Sendable {
    /// `sqlite` or `postgres`, for logs and `/healthz`.
    var backendName: String { get }

    /// Runs `body` outside any explicit transaction; each statement sees committed data.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back
    /// as a whole when it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Statements run first inside the migration transaction, so two processes starting at once
    /// migrate one after the other.
    var migrationLockStatements: [String] { get }

    /// Maps a backend error to a ``StorageError`` (unique violation → conflict, …).
    func classify(_ error: any Error) -> StorageError

    func close() async throws

    /// How long the one writer has spent in transactions since the start, where writes share
    /// one (SQLite); nil where they run side by side (PostgreSQL).
    var writerBusyTime: Duration? { get }
}

extension SQLDriver {
    public var writerBusyTime: Duration? { nil }

    /// Runs a storage operation, mapping any backend error to a ``StorageError``.
    func reading<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await mappingErrors { try await read(body) }
    }

    func writing<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await mappingErrors { try await write(body) }
    }

    private func mappingErrors<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as StorageError {
            throw error
        } catch {
            throw classify(error)
        }
    }
}

extension SQLDatabase {
    /// `begin` … `COMMIT` around `body` on this one connection, `ROLLBACK` when it throws.
    /// The caller guarantees nothing else uses the connection meanwhile.
    func inTransaction<T: Sendable>(
        begin: SQLQueryString = "BEGIN", _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await raw(begin).run()
        do {
            let result = try await body(self)
            try await raw("COMMIT").run()
            return result
        } catch {
            try? await raw("ROLLBACK").run()
            throw error
        }
    }
}
