import ArgumentParser
import BetterI18nCore

/// `better-i18n token check TOKEN`: names a token's kind and checks its checksum, offline.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Inspect Better i18n tokens without a database.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the kind of a token and whether its checksum holds (exit 0 when it holds, 1 when not).",
            discussion: "Works offline: the CRC-32 checksum in the last six characters tells a real token from a typo."
        )

        @Argument(help: "The token, for example bi_oat_….")
        var token: String

        func run() async throws {
            let check = SecretFormatCheck(token)
            print(Self.describe(check))
            if !check.isValid { throw ExitCode.failure }
        }

        static func describe(_ check: SecretFormatCheck) -> String {
            switch check {
            case .valid(let kind): "\(kind.displayName) (\(kind.prefix)): checksum valid"
            case .badChecksum(let kind): "\(kind.displayName) (\(kind.prefix)): checksum INVALID (mistyped, truncated or forged)"
            case .unknownKind: "not a Better i18n token: unknown prefix"
            }
        }
    }
}
