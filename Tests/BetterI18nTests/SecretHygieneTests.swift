import BetterI18nCore
import BetterI18nHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Synchronization
import Testing

/// Collects every log line a test's server writes, metadata included.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var all: String { lines.withLock { $0.joined(separator: "\n") } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    func logger() -> Logger {
        Logger(label: "capture") { label in CapturingHandler(label: label, capture: self) }
    }

    private struct CapturingHandler: LogHandler {
        let label: String
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(merged)")
        }
    }
}

/// SPEC §2/§3: secrets never reach logs or the database in clear.
@Suite struct SecretHygieneTests {
    @Test func signInLeavesNoPasswordOrSessionCookieInLogsOrDatabase() async throws {
        let databasePath = TemporaryFiles.databasePath()
        let storage = try await StorageFactoryForTests.sqlite(path: databasePath)
        let clock = ManualWallClock()
        let capture = LogCapture()
        var configuration = ServerConfiguration()
        configuration.bcryptCost = 4
        let dependencies = AppDependencies(
            configuration: configuration, storage: storage, clock: clock, metrics: PrometheusCollectorRegistry(),
            logger: capture.logger()
        )
        let admin = Fixture.admin(on: storage, clock: clock)
        let password = "a very secret passphrase"
        let user = try await admin.createUser(email: Unique.email(), name: "Dana", password: password)
        let jar = CookieJar()
        try await BetterI18nServer.buildApplication(dependencies).test(.router) { client in
            let page = try await client.browse("/login?return_to=%2F%3Fcode%3Dbi_ac_secretish", jar: jar)
            let csrf = try #require(page.hiddenField("csrf_token"))
            let response = try await client.browse("/login", method: .post, form: [
                ("csrf_token", csrf), ("return_to", "/"), ("email", user.email.value), ("password", password),
            ], jar: jar)
            #expect(response.status == .seeOther)
            _ = try await client.browse("/", jar: jar)
        }
        let session = try #require(jar["bi_session"])
        let logs = capture.all
        #expect(logs.contains("request"), "the request log is captured")
        for secret in [password, session, csrf(from: jar), "bi_ac_secretish"] {
            #expect(!logs.contains(secret))
        }
        try await storage.close()
        let files = [databasePath, databasePath + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }
        #expect(!files.isEmpty)
        for data in files {
            #expect(data.range(of: Data(password.utf8)) == nil)
            #expect(data.range(of: Data(session.utf8)) == nil)
        }
        // What is stored is the digest.
        let reopened = try await StorageFactoryForTests.sqlite(path: databasePath)
        #expect(try await reopened.session(digest: SecretDigest(of: session)) != nil)
    }

    private func csrf(from jar: CookieJar) -> String {
        jar["bi_login_csrf"] ?? "no-login-csrf-cookie-left"
    }
}

/// RFC 9700 / SPEC §3: after a whole OAuth flow, no code, token or client secret is in the
/// database file or the logs in clear — only their digests.
@Suite struct OAuthSecretHygieneTests {
    @Test func noCodeTokenOrSecretReachesTheDatabaseOrTheLogs() async throws {
        let capture = LogCapture()
        let world = try await OAuthWorld(logger: capture.logger())
        let path = try #require(world.databasePath)
        let secrets = try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.authorize(pkce: pkce)
            let tokens = try await driver.exchange(code, pkce: pkce).json(TokenBody.self)
            let rotated = try await driver.refresh(tokens.refresh_token).json(TokenBody.self)
            _ = try await driver.exchange(code, pkce: pkce) // a replay, to exercise the warning path
            _ = try await driver.post([("token", rotated.refresh_token)], to: "/api/auth/mcp/revoke", basic: (world.web.id.rawValue, world.webSecret))
            return [code, tokens.access_token, tokens.refresh_token, rotated.access_token, rotated.refresh_token,
                    world.webSecret, pkce.verifier, try #require(driver.jar["bi_session"])]
        }
        let logs = capture.all
        #expect(logs.contains("replayed"), "the replay warning was logged")
        try await world.storage.close()
        let files = [path, path + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }
        for secret in secrets {
            #expect(!logs.contains(secret), "a secret leaked into the logs")
            for data in files {
                #expect(data.range(of: Data(secret.utf8)) == nil, "a secret is stored in clear")
            }
        }
        // Digests are what is stored.
        let reopened = try await StorageFactoryForTests.sqlite(path: path)
        #expect(try await reopened.tokenState(digest: SecretDigest(of: secrets[1])) != nil)
    }

    /// Found by the fuzz pass: error descriptions quoted the offending value, so a token pasted
    /// into the wrong field came back in the answer (and, for OAuth errors, went to the log).
    @Test func aTokenPastedIntoTheWrongFieldIsNeverEchoed() async throws {
        let capture = LogCapture()
        let world = try await OAuthWorld(logger: capture.logger())
        let random = try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens(scope: "org:read projects:read")
            let mint = try await client.execute(
                uri: "/api/oauth-client/installations/\(tokens.grant_id)/tokens", method: .post,
                headers: [.authorization: "Bearer \(tokens.access_token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"scopes":["\#(tokens.refresh_token)"]}"#)
            )
            #expect(mint.status == .badRequest)
            let projects = try await client.execute(
                uri: "/api/oauth-client/installations/\(tokens.grant_id)/tokens", method: .post,
                headers: [.authorization: "Bearer \(tokens.access_token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"project_ids":["\#(tokens.refresh_token)"]}"#)
            )
            #expect(projects.status == .badRequest)
            let register = try await client.execute(
                uri: "/api/auth/mcp/register", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"client_name":"x","redirect_uris":["\#(tokens.refresh_token)"]}"#)
            )
            #expect(register.status == .badRequest)
            let random = String(tokens.refresh_token.dropFirst(6).prefix(20))
            for response in [mint, projects, register] {
                #expect(!String(decoding: response.body.readableBytesView, as: UTF8.self).contains(random))
            }
            return random
        }
        #expect(!capture.all.contains(random))
    }

    @Test func redactionMasksAnythingShapedLikeASecret() {
        let token = Secret(kind: .installationToken, random: SystemRandomSource()).value
        #expect(SecretRedaction.redact("'\(token)' is not a scope") == "'bi_oat_…' is not a scope")
        #expect(SecretRedaction.redact("scope=org:read bi_rt_abcdefghij1234") == "scope=org:read bi_rt_…")
        #expect(SecretRedaction.redact("bi_ and bi_at_x stay") == "bi_ and bi_at_x stay")
    }
}

/// An invitation link carries its `bi_inv_` token in the path: the request log masks it.
@Suite struct InvitationLinkHygieneTests {
    @Test func theInvitationTokenInAPathNeverReachesTheLog() async throws {
        let fixture = try await Fixture()
        let capture = LogCapture()
        var configuration = ServerConfiguration()
        configuration.bcryptCost = 4
        let dependencies = AppDependencies(
            configuration: configuration, storage: fixture.storage, clock: fixture.clock, metrics: PrometheusCollectorRegistry(),
            logger: capture.logger()
        )
        let (_, organization, _) = try await fixture.seedOrganization()
        let (_, link) = try await fixture.admin.invite(
            organizationSlug: organization.slug.value, email: Unique.email(), role: "member", publicURL: configuration.publicURL
        )
        let token = String(try #require(link.split(separator: "/").last))
        try await BetterI18nServer.buildApplication(dependencies).test(.router) { client in
            let page = try await client.browse("/invitations/" + token, jar: CookieJar())
            #expect(page.status == .ok)
        }
        #expect(capture.all.contains("/invitations/bi_inv_…"))
        #expect(!capture.all.contains(token))
    }
}
