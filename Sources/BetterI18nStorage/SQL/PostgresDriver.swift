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
        let configuration = try target.clientConfiguration()
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

    /// One direct connection first, so an unreachable server, a wrong password or a certificate
    /// that fails verification is reported at once with its cause instead of after the pool's
    /// retries.
    static func probe(_ target: Target, url: String, logger: Logger) async throws {
        var quiet = logger
        quiet.logLevel = .critical
        do {
            var tls = PostgresConnection.Configuration.TLS.disable
            if let configuration = try target.tlsConfiguration() {
                let context = try NIOSSLContext(configuration: configuration)
                tls = target.sslMode == .prefer ? .prefer(context) : .require(context)
            }
            let connection = try await PostgresConnection.connect(
                configuration: PostgresConnection.Configuration(
                    host: target.host, port: target.port, username: target.username, password: target.password,
                    database: target.database, tls: tls
                ),
                id: 0, logger: quiet
            )
            try await connection.close()
        } catch {
            throw StorageError.unavailable("cannot connect to PostgreSQL at \(redacted(url)): \(describe(error, sslMode: target.sslMode))")
        }
    }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "<invalid URL>" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "<invalid URL>"
    }

    /// libpq's `sslmode` values this driver supports (`allow` is not: it would try plain text
    /// first, which postgres-nio cannot).
    enum SSLMode: String, CaseIterable, Sendable {
        /// No TLS.
        case disable
        /// TLS when the server offers it, unverified, else plain text — libpq's default.
        case prefer
        /// TLS or nothing; the certificate is not checked, unless `sslrootcert` is given (then as
        /// `verify-ca`, as libpq does).
        case require
        /// TLS with a certificate signed by the trusted CA; any host name.
        case verifyCA = "verify-ca"
        /// TLS with a certificate signed by the trusted CA and naming the host (DNS name or IP).
        case verifyFull = "verify-full"
    }

    /// What a `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…` URL names,
    /// parsed once for both the probe connection and the pool.
    struct Target {
        let host: String
        let port: Int
        let username: String
        let password: String?
        let database: String?
        let sslMode: SSLMode
        /// PEM file of the CA certificates to trust; nil means the system's trust store.
        let rootCertificatePath: String?

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
            let query = components.queryItems ?? []
            let rawMode = query.last { $0.name == "sslmode" }?.value ?? SSLMode.prefer.rawValue
            guard let mode = SSLMode(rawValue: rawMode) else {
                throw StorageError.unavailable(
                    "sslmode=\(rawMode.prefix(40)) is not supported: use \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            sslMode = mode
            let root = query.last { $0.name == "sslrootcert" }?.value
            rootCertificatePath = root?.isEmpty == false ? root : nil
        }

        /// The TLS settings for ``sslMode``, or nil for `disable`.
        func tlsConfiguration() throws -> TLSConfiguration? {
            var configuration = TLSConfiguration.makeClientConfiguration()
            switch sslMode {
            case .disable: return nil
            case .prefer: configuration.certificateVerification = .none
            case .require: configuration.certificateVerification = rootCertificatePath == nil ? .none : .noHostnameVerification
            case .verifyCA: configuration.certificateVerification = .noHostnameVerification
            case .verifyFull: configuration.certificateVerification = .fullVerification
            }
            if let path = rootCertificatePath {
                let certificates: [NIOSSLCertificate]
                do {
                    certificates = try NIOSSLCertificate.fromPEMFile(path)
                } catch {
                    throw StorageError.unavailable("sslrootcert '\(path)' cannot be read as PEM certificates: \(error)")
                }
                guard !certificates.isEmpty else { throw StorageError.unavailable("sslrootcert '\(path)' holds no certificate") }
                configuration.trustRoots = .certificates(certificates)
            }
            return configuration
        }

        func clientConfiguration() throws -> PostgresClient.Configuration {
            var tls = PostgresClient.Configuration.TLS.disable
            if let configuration = try tlsConfiguration() {
                tls = sslMode == .prefer ? .prefer(configuration) : .require(configuration)
            }
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls
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

    static func describe(_ error: any Error, sslMode: SSLMode? = nil) -> String {
        if let error = error as? StorageError { return error.detail }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if error.code == .sslUnsupported {
                return "the server does not offer TLS, which sslmode=\(sslMode?.rawValue ?? "require") needs"
            }
            if let underlying = error.underlying { return describe(underlying, sslMode: sslMode) }
            return "\(error.code)"
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return "the TLS handshake failed — the server's certificate was not accepted under sslmode=\(sslMode?.rawValue ?? "?")"
                + " (is sslrootcert the CA that signed it, and does it name this host?): \(error)"
        }
        return String(describing: error)
    }
}
