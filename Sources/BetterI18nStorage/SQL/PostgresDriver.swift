import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// The multi-instance backend: a pooled `PostgresClient` from postgres-nio.
///
/// Transactions are `BEGIN … COMMIT` on one leased connection; migrations take a transaction
/// advisory lock so instances starting together migrate one after another.
public final class PostgresDriver: SQLDriver {
    public let backendName = "postgres"
    /// 0x6269_3138 spells "bi18" — an arbitrary, fixed key for the migration lock.
    public let migrationLockStatements = ["SELECT pg_advisory_xact_lock(1651061048)"]

    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    private init(client: PostgresClient, runTask: Task<Void, Never>, logger: Logger) {
        self.client = client
        self.runTask = runTask
        self.logger = logger
    }

    /// Connects to `postgres://user:password@host:port/database` and checks the server answers.
    public static func connect(url: String, logger: Logger) async throws -> PostgresDriver {
        let target = try Target(url: url)
        try await probe(target, url: url, logger: logger)
        let configuration = target.clientConfiguration
        // The pool retries quietly in the background; its own logs are for errors only.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        let runTask = Task { await client.run() }
        let driver = PostgresDriver(client: client, runTask: runTask, logger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await driver.read { try await $0.raw("SELECT 1").all() }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    throw StorageError.unavailable("no answer from PostgreSQL within 10 seconds")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            runTask.cancel()
            throw StorageError.unavailable("cannot connect to PostgreSQL at \(redacted(url)): \(describe(error))")
        }
        return driver
    }

    /// One direct connection first, so an unreachable server or a wrong password is reported
    /// at once with its cause instead of after the pool's retries.
    static func probe(_ target: Target, url: String, logger: Logger) async throws {
        var quiet = logger
        quiet.logLevel = .critical
        do {
            let connection = try await PostgresConnection.connect(
                configuration: PostgresConnection.Configuration(
                    host: target.host, port: target.port, username: target.username, password: target.password,
                    database: target.database, tls: .disable
                ),
                id: 0, logger: quiet
            )
            try await connection.close()
        } catch {
            throw StorageError.unavailable("cannot connect to PostgreSQL at \(redacted(url)): \(describe(error))")
        }
    }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "<invalid URL>" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "<invalid URL>"
    }

    /// What a `postgres://user:password@host:port/database` URL names, parsed once for both the
    /// probe connection and the pool.
    struct Target {
        let host: String
        let port: Int
        let username: String
        let password: String?
        let database: String?

        init(url: String) throws {
            guard let components = URLComponents(string: url),
                  ["postgres", "postgresql"].contains(components.scheme ?? ""),
                  let host = components.host, !host.isEmpty
            else {
                throw StorageError.unavailable("'\(PostgresDriver.redacted(url))' is not a postgres://user:password@host:port/database URL")
            }
            let database = String(components.path.drop(while: { $0 == "/" }))
            self.host = host
            self.port = components.port ?? 5432
            self.username = components.user ?? "postgres"
            self.password = components.password
            self.database = database.isEmpty ? nil : database
        }

        var clientConfiguration: PostgresClient.Configuration {
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: .disable
            )
            configuration.options.maximumConnections = 20
            return configuration
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.sql(queryLogLevel: nil).inTransaction(body)
        }
    }

    public func classify(_ error: any Error) -> StorageError {
        guard let error = error as? PSQLError else {
            return .unavailable(Self.describe(error))
        }
        let detail = error.serverInfo?[.message] ?? String(reflecting: error)
        switch error.serverInfo?[.sqlState] {
        case "23505": return .conflict(detail)
        case "23503": return .notFound(detail)
        default: return .unavailable(detail)
        }
    }

    public func close() async throws {
        runTask.cancel()
    }

    deinit {
        runTask.cancel()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? StorageError { return error.detail }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return String(describing: underlying) }
            return "\(error.code)"
        }
        return String(describing: error)
    }
}
