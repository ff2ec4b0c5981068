import BetterI18nCore
import Foundation
import Logging

/// Opens the storage a `--database-url` names (SPEC §2): `sqlite://PATH` (relative paths are
/// relative to the working directory; `sqlite:///abs/path` is absolute) or
/// `postgres://user:pass@host:port/db`. Migrations run before it returns.
public enum StorageFactory {
    public static let defaultURL = ServerConfiguration.defaults.databaseURL

    public static func open(url: String, logger: Logger, now: Date = Date()) async throws -> SQLStorage {
        let driver: any SQLDriver
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else {
                throw StorageError.unavailable("the SQLite URL '\(url)' names no file")
            }
            driver = try await SQLiteDriver.open(path: path, logger: logger)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            driver = try await PostgresDriver.connect(url: url, logger: logger)
        } else {
            throw StorageError.unavailable("unsupported database URL '\(PostgresDriver.redacted(url))': use sqlite://PATH or postgres://…")
        }
        do {
            return try await SQLStorage(driver: driver, now: now)
        } catch {
            try? await driver.close()
            throw error
        }
    }
}
