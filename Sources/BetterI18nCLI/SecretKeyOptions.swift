import ArgumentParser
import BetterI18nCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--secret-key`: the 32-byte key that seals webhook signing secrets, shared by `serve` and
/// the `admin` commands that create webhooks.
///
/// Default with SQLite: generated once into `secret.key` beside the database file (mode 0600)
/// and read from there afterwards. With PostgreSQL every instance must use the same key, so it
/// must be given.
struct SecretKeyOptions: ParsableArguments {
    @Option(help: "32-byte key (64 hex digits or base64) that encrypts webhook signing secrets. Env: BETTER_I18N_SECRET_KEY (default: secret.key beside the SQLite database; required with PostgreSQL)")
    var secretKey: String?

    func load(databaseURL: String) throws -> SecretKey {
        if let raw = Settings.optionalString(secretKey, env: "SECRET_KEY") {
            do {
                return try SecretKey(text: raw)
            } catch {
                throw CommandFailure(message: "--secret-key: give 32 bytes as 64 hex digits or base64 (e.g. openssl rand -base64 32)")
            }
        }
        guard databaseURL.hasPrefix("sqlite://") else {
            throw CommandFailure(message: "--secret-key (or BETTER_I18N_SECRET_KEY) is required with PostgreSQL: every instance must use the same key")
        }
        let databasePath = String(databaseURL.dropFirst("sqlite://".count))
        let file = URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("secret.key").path
        return try Self.loadOrCreate(file)
    }

    /// Reads the key file, or creates it (exclusively, 0600) when missing; of two processes
    /// starting at once one creates it and the other reads it.
    static func loadOrCreate(_ path: String) throws -> SecretKey {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            do {
                return try SecretKey(text: text)
            } catch {
                throw CommandFailure(message: "\(path) does not hold a 32-byte key (64 hex digits or base64)")
            }
        }
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true
        )
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                // Another process created it meanwhile; give its write a moment.
                usleep(50_000)
                return try loadOrCreate(path)
            }
            throw CommandFailure(message: "cannot create \(path) for the secret key (\(String(cString: strerror(errno))))")
        }
        let text = SecretKey.generateText() + "\n"
        let written = text.withCString { write(descriptor, $0, strlen($0)) }
        fsync(descriptor)
        close(descriptor)
        guard written == text.utf8.count else { throw CommandFailure(message: "cannot write \(path)") }
        return try SecretKey(text: text)
    }
}
