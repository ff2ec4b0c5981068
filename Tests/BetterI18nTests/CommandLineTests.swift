import ArgumentParser
import BetterI18nCore
import BetterI18nStorage
import Foundation
import Testing
import BetterI18nOAuth
@testable import BetterI18nCLI

/// SPEC §2 `admin` and `token check`, run in-process through the real argument parser.
@Suite struct CommandLineTests {
    let databaseURL = "sqlite://" + TemporaryFiles.databasePath()

    private func run(_ arguments: [String]) async throws {
        var command = try BetterI18nCommand.parseAsRoot(arguments)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    private func admin(_ subcommand: String, _ arguments: [String]) async throws {
        try await run(["admin", subcommand, "--database-url", databaseURL, "--bcrypt-cost", "4"] + arguments)
    }

    private func storage() async throws -> SQLStorage {
        try await StorageFactory.open(url: databaseURL, logger: .quiet)
    }

    @Test func adminCommandsBuildAnOrganizationFromScratch() async throws {
        try await admin("create-user", ["--email", "ops@example.com", "--name", "Ops", "--password", "long enough password"])
        try await admin("create-user", ["--email", "dev@example.com", "--name", "Dev", "--password", "long enough password"])
        try await admin("create-org", ["--slug", "acme", "--name", "Acme", "--owner", "ops@example.com"])
        try await admin("add-member", ["--org", "acme", "--email", "dev@example.com", "--role", "admin"])
        try await admin("create-project", ["--org", "acme", "--slug", "web", "--name", "Web", "--source-language", "en", "--languages", "de,fr"])
        try await admin("create-client", ["--name", "Sync", "--type", "web", "--redirect-uri", "https://p.example.com/cb", "--owner", "ops@example.com", "--json"])
        let storage = try await storage()
        let organization = try #require(try await storage.organization(slug: Slug("acme")))
        let dev = try #require(try await storage.user(email: EmailAddress("dev@example.com")))
        #expect(try await storage.role(of: dev.id, in: organization.id) == .admin)
        let project = try #require(try await storage.project(organization: organization.id, slug: Slug("web")))
        #expect(try await storage.languages(of: project.id).map(\.code.value) == ["en", "de", "fr"])
    }

    @Test func membersAreInvitedRoledAndRemovedFromTheCommandLine() async throws {
        try await admin("create-user", ["--email", "ops@example.com", "--name", "Ops", "--password", "long enough password"])
        try await admin("create-user", ["--email", "dev@example.com", "--name", "Dev", "--password", "long enough password"])
        try await admin("create-org", ["--slug", "acme", "--name", "Acme", "--owner", "ops@example.com"])
        try await admin("add-member", ["--org", "acme", "--email", "dev@example.com", "--role", "member"])
        try await admin("invite", ["--org", "acme", "--email", "new@example.com", "--public-url", "https://i18n.example.com"])
        try await admin("change-role", ["--org", "acme", "--email", "dev@example.com", "--role", "admin"])
        // The last owner stays: demoting or removing them exits non-zero and changes nothing.
        await #expect(throws: ExitCode.failure) {
            try await admin("change-role", ["--org", "acme", "--email", "ops@example.com", "--role", "member"])
        }
        await #expect(throws: ExitCode.failure) {
            try await admin("remove-member", ["--org", "acme", "--email", "ops@example.com"])
        }
        await #expect(throws: ExitCode.failure) {
            try await admin("invite", ["--org", "acme", "--email", "not an email"])
        }
        try await admin("remove-member", ["--org", "acme", "--email", "dev@example.com"])
        let storage = try await storage()
        let organization = try #require(try await storage.organization(slug: Slug("acme")))
        let ops = try #require(try await storage.user(email: EmailAddress("ops@example.com")))
        let dev = try #require(try await storage.user(email: EmailAddress("dev@example.com")))
        #expect(try await storage.role(of: ops.id, in: organization.id) == .owner)
        #expect(try await storage.role(of: dev.id, in: organization.id) == nil)
        #expect(try await storage.openInvitations(of: organization.id).map(\.email.value) == ["new@example.com"])
        let events = try await storage.auditEvents(organization: organization.id, limit: 10)
        #expect(events.contains { $0.kind == .memberRoleChanged && $0.details["via"] == "cli" })
    }

    @Test func badInputExitsNonZeroAndWritesNothing() async throws {
        let cases: [(String, [String])] = [
            ("create-user", ["--email", "not-an-email", "--name", "X", "--password", "long enough password"]),
            ("create-user", ["--email", "a@example.com", "--name", "X"]),
            ("create-org", ["--slug", "acme", "--name", "Acme", "--owner", "nobody@example.com"]),
            ("create-org", ["--slug", "Not A Slug", "--name", "Acme", "--owner", "nobody@example.com"]),
            ("add-member", ["--org", "missing", "--email", "a@example.com", "--role", "admin"]),
            ("add-member", ["--org", "missing", "--email", "a@example.com", "--role", "emperor"]),
            ("create-project", ["--org", "missing", "--slug", "web", "--name", "Web", "--source-language", "en"]),
            ("create-client", ["--name", "X", "--type", "web", "--redirect-uri", "http://evil.example.com/cb"]),
        ]
        for (subcommand, arguments) in cases {
            await #expect(throws: ExitCode.failure, "\(subcommand) \(arguments)") {
                try await admin(subcommand, arguments)
            }
        }
        #expect(try await storage().userCount() == 0)
    }

    /// SPEC §10: `create-public-key` prints a `bi_pub_` key once and stores only its digest;
    /// `list-public-keys` never shows a key; `revoke-public-key` ends it; bad input writes nothing.
    @Test func publicKeysAreCreatedListedAndRevoked() async throws {
        try await admin("create-user", ["--email", "ops@example.com", "--name", "Ops", "--password", "long enough password"])
        try await admin("create-org", ["--slug", "acme", "--name", "Acme", "--owner", "ops@example.com"])
        try await admin("create-project", ["--org", "acme", "--slug", "web", "--name", "Web", "--source-language", "en"])
        try await admin("create-public-key", ["--org", "acme", "--project", "web", "--name", "Website"])
        let storage = try await storage()
        let keys = try await storage.publicKeys(in: nil)
        #expect(keys.count == 1)
        #expect(keys.first?.name == "Website")
        try await admin("list-public-keys", ["--org", "acme"])
        for (subcommand, arguments) in [
            ("create-public-key", ["--org", "acme", "--project", "missing"]),
            ("create-public-key", ["--org", "missing", "--project", "web"]),
            ("create-public-key", ["--org", "acme", "--project", "web", "--name", String(repeating: "x", count: 101)]),
            ("list-public-keys", ["--org", "missing"]),
            ("revoke-public-key", ["pk_notakey"]),
        ] {
            await #expect(throws: ExitCode.failure, "\(subcommand) \(arguments)") { try await admin(subcommand, arguments) }
        }
        #expect(try await storage.publicKeys(in: nil).count == 1)
        try await admin("revoke-public-key", [try #require(keys.first).id.rawValue])
        #expect(try await storage.publicKey(id: try #require(keys.first).id)?.revokedAt != nil)
    }

    @Test func duplicatesAreRefused() async throws {
        try await admin("create-user", ["--email", "ops@example.com", "--name", "Ops", "--password", "long enough password"])
        await #expect(throws: ExitCode.failure) {
            try await admin("create-user", ["--email", "OPS@example.com", "--name", "Again", "--password", "long enough password"])
        }
        try await admin("create-org", ["--slug", "acme", "--name", "Acme", "--owner", "ops@example.com"])
        await #expect(throws: ExitCode.failure) {
            try await admin("create-org", ["--slug", "acme", "--name", "Acme 2", "--owner", "ops@example.com"])
        }
        #expect(try await storage().userCount() == 1)
    }

    @Test func missingRequiredArgumentsAreAParseError() {
        #expect(throws: (any Error).self) {
            _ = try BetterI18nCommand.parseAsRoot(["admin", "create-org", "--slug", "acme"])
        }
    }

    @Test func tokenCheckNamesTheKindAndExitsByChecksum() async throws {
        let token = Secret(kind: .installationToken).value
        try await run(["token", "check", token])
        #expect(TokenCommand.Check.describe(SecretFormatCheck(token)) == "installation token (bi_oat_): checksum valid")
        var broken = Array(token)
        broken[12] = broken[12] == "x" ? "y" : "x"
        await #expect(throws: ExitCode.failure) { try await run(["token", "check", String(broken)]) }
        await #expect(throws: ExitCode.failure) { try await run(["token", "check", "hello"]) }
    }

    @Test func serveReadsFlagsThenEnvironmentThenDefaults() throws {
        let serve = try ServeCommand.parse(["--port", "9090", "--public-url", "https://i18n.example.com/", "--registration", "off"])
        let configuration = try serve.resolveConfiguration()
        #expect(configuration.port == 9090)
        #expect(configuration.publicURL.absoluteString == "https://i18n.example.com")
        #expect(configuration.apiURL == configuration.publicURL)
        #expect(configuration.cdnURL.absoluteString == "https://i18n.example.com/cdn")
        #expect(configuration.registration == .off)
        #expect(configuration.accessTokenTTL == 1800)
        #expect(configuration.usesSecureCookies)
        #expect(throws: BetterI18nCore.ValidationError.self) {
            try ServeCommand.parse(["--registration", "sometimes"]).resolveConfiguration()
        }
        #expect(throws: BetterI18nCore.ValidationError.self) {
            try ServeCommand.parse(["--public-url", "ftp://x"]).resolveConfiguration()
        }
    }
}

/// SPEC §2 admin commands of the authorization server.
@Suite struct AdminOAuthCommandTests {
    let databaseURL = "sqlite://" + TemporaryFiles.databasePath()

    private func run(_ arguments: [String]) async throws {
        var command = try BetterI18nCommand.parseAsRoot(["admin"] + arguments + ["--database-url", databaseURL, "--bcrypt-cost", "4"])
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    @Test func revokeGrantRevokesAndIsAudited() async throws {
        let storage = try await StorageFactory.open(url: databaseURL, logger: .quiet)
        let admin = Fixture.admin(on: storage, clock: SystemWallClock())
        let user = try await admin.createUser(email: Unique.email(), name: "O", password: "long enough password")
        let organization = try await admin.createOrganization(slug: "acme", name: "Acme", ownerEmail: user.email.value)
        let (client, _) = try await admin.createClient(name: "App", type: "native", redirectURIs: ["http://127.0.0.1/cb"], ownerEmail: nil)
        let (grant, _) = try await storage.approveGrant(
            newID: .generate(), clientID: client.id, organizationID: organization.id, userID: user.id,
            scopes: ScopeSet([.orgRead]), projectIDs: [], at: SystemWallClock().now()
        )
        try await run(["list-grants", "--org", "acme"])
        try await run(["revoke-grant", grant.id.rawValue])
        #expect(try await storage.grant(id: grant.id)?.isRevoked == true)
        #expect(try await storage.auditEvents(organization: organization.id, limit: 10).map(\.kind).contains(.grantRevoked))
        try await run(["audit", "--org", "acme"])
        await #expect(throws: ExitCode.failure) { try await run(["revoke-grant", GrantID.generate().rawValue]) }
        await #expect(throws: ExitCode.failure) { try await run(["revoke-grant", "not-a-grant"]) }
        await #expect(throws: ExitCode.failure) { try await run(["list-grants", "--org", "missing"]) }
    }

    @Test func registrationTokensAreStoredByDigestAndWorkOnce() async throws {
        try await run(["create-registration-token"])
        let storage = try await StorageFactory.open(url: databaseURL, logger: .quiet)
        // The printed token is not recoverable from storage; a fresh one shows the single-use rule.
        let registration = DynamicRegistration(storage: storage, settings: OAuthSettings(ServerConfiguration()), clock: SystemWallClock())
        let token = try await registration.createInitialAccessToken()
        #expect(SecretFormatCheck(token.value) == .valid(.initialAccessToken))
        #expect(try await storage.consumeRegistrationToken(digest: token.digest, at: SystemWallClock().now()))
        #expect(try await storage.consumeRegistrationToken(digest: token.digest, at: SystemWallClock().now()) == false)
    }
}
