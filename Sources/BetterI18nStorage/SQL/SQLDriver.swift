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
}

extension SQLDriver {
    /// Runs a storage operation, mapping any backend error to a ``StorageError``.
    func reading<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await read(body)
        } catch let error as StorageError {
            throw error
        } catch {
            throw classify(error)
        }
    }

    func writing<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await write(body)
        } catch let error as StorageError {
            throw error
        } catch {
            throw classify(error)
        }
    }
}
