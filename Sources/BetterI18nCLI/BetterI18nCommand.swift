import ArgumentParser
import BetterI18nMCP

/// `better-i18n`: one binary for the server, operator commands and offline token checks (SPEC §2).
@main
struct BetterI18nCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "better-i18n",
        abstract: "Better i18n: translation management that partner apps and AI agents reach through OAuth.",
        discussion: """
            Every option can also be set with an environment variable BETTER_I18N_<NAME> \
            (for example BETTER_I18N_DATABASE_URL); flags win over the environment.
            """,
        version: BetterI18nVersion.current,
        subcommands: [ServeCommand.self, MCPCommand.self, PullCommand.self, PushCommand.self, AdminCommand.self, TokenCommand.self, CDNCommand.self]
    )
}
