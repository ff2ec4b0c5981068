import ArgumentParser
import BetterI18nAccounts
import BetterI18nCore
import BetterI18nStorage
import Foundation
import Logging

/// `--database-url`, shared by `serve` and every `admin` subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "sqlite://PATH (default \(StorageFactory.defaultURL)) or postgres://user:pass@host:port/db. Env: BETTER_I18N_DATABASE_URL")
    var databaseURL: String?

    var resolvedURL: String {
        Settings.string(databaseURL, env: "DATABASE_URL", default: StorageFactory.defaultURL)
    }

    /// Opens the database or exits with one clear line on stderr.
    func open(logger: Logger) async throws -> SQLStorage {
        do {
            return try await StorageFactory.open(url: resolvedURL, logger: logger)
        } catch let error as StorageError {
            throw CommandFailure(message: error.description)
        }
    }
}

/// A refusal printed as one `error: …` line on stderr with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension ParsableCommand {
    /// Runs `body`, turning the errors a user can cause into one line on stderr and exit 1.
    static func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CommandFailure {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        } catch let error as BetterI18nCore.ValidationError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode.failure
        } catch let error as AdminError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        } catch let error as StorageError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}
