import ArgumentParser
import BetterI18nCore
@testable import BetterI18nStorage
import BetterI18nWebhooks
import Foundation
import HummingbirdTesting
import Testing
@testable import BetterI18nCLI

/// Managing webhooks (events and webhooks): Settings → Webhooks for owners and admins, the
/// app's webhook on Developer apps, `admin create-webhook` and `admin create-client --webhook-url`.
@Suite struct WebhookManagementTests {
    static func secret(in html: String) -> String? {
        guard let range = html.range(of: "whsec_") else { return nil }
        return String(html[range.lowerBound...].prefix { $0 != "<" })
    }

    @Test func ownersCreateRotateToggleTestAndRedeliverOnTheDashboard() async throws {
        let world = try await OAuthWorld(configure: { $0.webhookAllowHTTP = true; $0.webhookAllowPrivate = true })
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await client.browse("/settings/webhooks", jar: driver.jar)
            #expect(page.status == .ok)
            #expect(page.text.contains(world.organization.name))
            #expect(page.text.contains("release.published"))
            let csrf = try #require(page.hiddenField("csrf_token"))
            let created = try await client.browse("/settings/webhooks", method: .post, form: [
                ("csrf_token", csrf), ("organization", world.organization.id.rawValue), ("url", "http://127.0.0.1:9/hook"),
                ("events", "keys.created"), ("events", "release.published"), ("project", world.projects[0].id.rawValue),
            ], jar: driver.jar)
            #expect(created.status == .created)
            let secret = try #require(Self.secret(in: created.text))
            #expect(WebhookSecret(secret) != nil)
            let webhook = try #require(try await world.storage.webhooks(of: world.organization.id).first)
            #expect(webhook.events == [.releasePublished, .keysCreated])
            #expect(webhook.projectID == world.projects[0].id)
            // Shown once: the list no longer carries it.
            #expect(Self.secret(in: try await client.browse("/settings/webhooks", jar: driver.jar).text) == nil)

            let detail = "/settings/webhooks/\(webhook.id.rawValue)"
            let rotated = try await client.browse(detail + "/rotate", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            let next = try #require(Self.secret(in: rotated.text))
            #expect(next != secret)
            #expect(rotated.text.contains("still signs until"))
            let disabled = try await client.browse(detail + "/enabled", method: .post, form: [("csrf_token", csrf), ("enabled", "0")], jar: driver.jar)
            #expect(disabled.status == .seeOther)
            #expect(try await world.storage.webhook(id: webhook.id)?.isEnabled == false)
            _ = try await client.browse(detail + "/enabled", method: .post, form: [("csrf_token", csrf), ("enabled", "1")], jar: driver.jar)
            #expect(try await world.storage.webhook(id: webhook.id)?.isEnabled == true)

            let test = try await client.browse(detail + "/test", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(test.status == .seeOther)
            let log = try await world.storage.deliveryLog(of: webhook.id, limit: 10)
            #expect(log.map(\.eventType) == [.ping])
            let shown = try await client.browse(detail, jar: driver.jar)
            #expect(shown.text.contains("ping"))
            #expect(shown.text.contains("Redeliver"))
            let redeliver = try await client.browse(detail + "/redeliver", method: .post, form: [("csrf_token", csrf), ("delivery", log[0].id)], jar: driver.jar)
            #expect(redeliver.status == .seeOther)
            let unknown = try await client.browse(detail + "/redeliver", method: .post, form: [("csrf_token", csrf), ("delivery", "dlv_nope")], jar: driver.jar)
            #expect(unknown.status == .notFound)
            let forged = try await client.browse(detail + "/rotate", method: .post, form: [("csrf_token", "nope")], jar: driver.jar)
            #expect(forged.status == .forbidden)
            let deleted = try await client.browse(detail + "/delete", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(deleted.status == .seeOther)
            #expect(try await world.storage.webhook(id: webhook.id) == nil)
        }
    }

    @Test func theDashboardRefusesURLsTheServerWouldNotDeliverTo() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let csrf = try #require(try await client.browse("/settings/webhooks", jar: driver.jar).hiddenField("csrf_token"))
            for (url, reason) in [("http://93.184.216.34/h", "https"), ("https://127.0.0.1/h", "loopback"), ("ftp://example.com/h", "https"),
                                  ("https://169.254.169.254/", "link-local"), ("nonsense", "well-formed")] {
                let refused = try await client.browse("/settings/webhooks", method: .post, form: [
                    ("csrf_token", csrf), ("organization", world.organization.id.rawValue), ("url", url),
                ], jar: driver.jar)
                #expect(refused.status == .badRequest, "\(url)")
                #expect(refused.text.contains(reason), "\(url)")
            }
            let badEvent = try await client.browse("/settings/webhooks", method: .post, form: [
                ("csrf_token", csrf), ("organization", world.organization.id.rawValue), ("url", "https://93.184.216.34/h"), ("events", "grant.revoked"),
            ], jar: driver.jar)
            #expect(badEvent.status == .badRequest)
            #expect(try await world.storage.webhooks(of: world.organization.id).isEmpty)
        }
    }

    @Test func membersAndStrangersCannotManageWebhooks() async throws {
        let world = try await OAuthWorld()
        let member = try await world.server.fixture.admin.createUser(email: Unique.email(), name: "Member", password: world.password)
        _ = try await world.server.fixture.admin.addMember(organizationSlug: world.organization.slug.value, email: member.email.value, role: "member")
        let (webhook, _) = try await world.server.dependencies.webhooks.create(
            organization: world.organization.id, url: "https://93.184.216.34/h", events: [], project: nil, by: .operator
        )
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn(as: member.email.value, password: world.password)
            let page = try await client.browse("/settings/webhooks", jar: driver.jar)
            #expect(!page.text.contains(webhook.id.rawValue))
            #expect(page.text.contains("Only owners and admins"))
            let csrf = try #require(page.hiddenField("csrf_token"))
            let create = try await client.browse("/settings/webhooks", method: .post, form: [
                ("csrf_token", csrf), ("organization", world.organization.id.rawValue), ("url", "https://93.184.216.34/h"),
            ], jar: driver.jar)
            #expect(create.status == .notFound)
            #expect(try await client.browse("/settings/webhooks/\(webhook.id.rawValue)", jar: driver.jar).status == .notFound)
            let rotate = try await client.browse("/settings/webhooks/\(webhook.id.rawValue)/rotate", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(rotate.status == .notFound)
            #expect(try await world.storage.webhook(id: webhook.id)?.sealedSecret == webhook.sealedSecret)
        }
    }

    @Test func anAppsWebhookIsSetOnDeveloperAppsWithItsLog() async throws {
        let world = try await OAuthWorld()
        let (app, _) = try await world.server.dependencies.oauth.clients.register(
            name: "Mine", type: "web", redirectURIs: [OAuthWorld.redirect], owner: world.owner.id, actor: "test"
        )
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await client.browse("/settings/apps", jar: driver.jar)
            #expect(page.text.contains("/settings/apps/\(app.id.rawValue)/webhook"))
            let csrf = try #require(page.hiddenField("csrf_token"))
            let bad = try await client.browse("/settings/apps/\(app.id.rawValue)/webhook", method: .post,
                                              form: [("csrf_token", csrf), ("webhook_url", "https://127.0.0.1/h")], jar: driver.jar)
            #expect(bad.status == .badRequest)
            let set = try await client.browse("/settings/apps/\(app.id.rawValue)/webhook", method: .post,
                                              form: [("csrf_token", csrf), ("webhook_url", "https://93.184.216.34/app")], jar: driver.jar)
            #expect(set.status == .ok)
            #expect(Self.secret(in: set.text) != nil)
            let webhook = try #require(try await world.storage.webhook(ofClient: app.id))
            #expect(webhook.url == "https://93.184.216.34/app")
            #expect(set.text.contains("/settings/webhooks/\(webhook.id.rawValue)"))
            // Its log page is the app owner's, nobody else's.
            #expect(try await client.browse("/settings/webhooks/\(webhook.id.rawValue)", jar: driver.jar).status == .ok)
            // Changing the URL keeps the secret; emptying it removes the webhook.
            let changed = try await client.browse("/settings/apps/\(app.id.rawValue)/webhook", method: .post,
                                                  form: [("csrf_token", csrf), ("webhook_url", "https://93.184.216.34/v2")], jar: driver.jar)
            #expect(Self.secret(in: changed.text) == nil)
            #expect(try await world.storage.webhook(ofClient: app.id)?.sealedSecret == webhook.sealedSecret)
            _ = try await client.browse("/settings/apps/\(app.id.rawValue)/webhook", method: .post,
                                        form: [("csrf_token", csrf), ("webhook_url", "")], jar: driver.jar)
            #expect(try await world.storage.webhook(ofClient: app.id) == nil)
        }
    }

    // MARK: admin

    private func admin(_ databaseURL: String, _ subcommand: String, _ arguments: [String]) async throws {
        var command = try BetterI18nCommand.parseAsRoot(["admin", subcommand, "--database-url", databaseURL, "--bcrypt-cost", "4"] + arguments)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    @Test func adminCreatesWebhooksWithAKeyFileBesideTheDatabase() async throws {
        let path = TemporaryFiles.databasePath()
        let url = "sqlite://" + path
        try await admin(url, "create-user", ["--email", "ops@example.com", "--name", "Ops", "--password", "long enough password"])
        try await admin(url, "create-org", ["--slug", "acme", "--name", "Acme", "--owner", "ops@example.com"])
        try await admin(url, "create-project", ["--org", "acme", "--slug", "web", "--name", "Web", "--source-language", "en"])
        // Only well-formedness: loopback http is the server's to refuse.
        try await admin(url, "create-webhook", ["--org", "acme", "--url", "http://127.0.0.1:9/h", "--events", "keys.created,release.published", "--project", "web"])
        try await admin(url, "create-client", ["--name", "Sync", "--type", "web", "--redirect-uri", "https://p.example.com/cb",
                                               "--webhook-url", "https://p.example.com/hooks"])
        let keyFile = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("secret.key").path
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let key = try SecretKey(text: try String(contentsOfFile: keyFile, encoding: .utf8))
        let storage = try await StorageFactory.open(url: url, logger: .quiet)
        let organization = try #require(try await storage.organization(slug: Slug("acme")))
        let webhook = try #require(try await storage.webhooks(of: organization.id).first)
        #expect(webhook.events == [.releasePublished, .keysCreated])
        #expect(webhook.projectID != nil)
        _ = try key.open(webhook.sealedSecret, for: webhook.id.rawValue)
        let appHooks = try await storage.driver.read { database in
            try await database.raw("SELECT url FROM webhooks WHERE client_id IS NOT NULL").all().map { try $0.decode(column: "url", as: String.self) }
        }
        #expect(appHooks == ["https://p.example.com/hooks"])
        // Bad input: nothing written, a non-zero exit.
        for arguments in [["--url", "ftp://x.example.com"], ["--url", "https://x.example.com", "--events", "nope"],
                          ["--url", "https://x.example.com", "--project", "missing"]] {
            await #expect(throws: ExitCode.self) { try await admin(url, "create-webhook", ["--org", "acme"] + arguments) }
        }
        await #expect(throws: ExitCode.self) {
            try await admin(url, "create-client", ["--name", "Bad", "--type", "web", "--redirect-uri", "https://p.example.com/cb", "--webhook-url", "nope"])
        }
        #expect(try await storage.webhooks(of: organization.id).count == 1)
        try await storage.close()
    }

    @Test func postgresNeedsAnExplicitSecretKey() throws {
        #expect(throws: CommandFailure.self) { try SecretKeyOptions.parse([]).load(databaseURL: "postgres://u@h/db") }
        _ = try SecretKeyOptions.parse(["--secret-key", String(repeating: "ab", count: 32)]).load(databaseURL: "postgres://u@h/db")
        #expect(throws: CommandFailure.self) { try SecretKeyOptions.parse(["--secret-key", "short"]).load(databaseURL: "postgres://u@h/db") }
    }
}
