import BetterI18nCore
import Foundation
import HummingbirdTesting
import Testing

/// SPEC §4 Settings → Connected apps and Developer apps.
@Suite struct SettingsPagesTests {
    @Test func connectedAppsListsGrantsAndRevokeKillsTheirTokens() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens(scope: "org:read keys:read")
            try await driver.signIn()
            let page = try await client.browse("/settings/connected-apps", jar: driver.jar)
            #expect(page.status == .ok)
            #expect(page.text.contains("Partner Sync"))
            #expect(page.text.contains("keys:read"))
            #expect(page.text.contains(world.owner.email.value))
            #expect(page.text.contains("grant.created"))
            let action = "/settings/connected-apps/\(tokens.grant_id)/revoke"
            #expect(page.text.contains(action))
            let forged = try await client.browse(action, method: .post, form: [("csrf_token", "nope")], jar: driver.jar)
            #expect(forged.status == .forbidden)
            #expect(try await driver.introspect(tokens.access_token).active)
            let revoked = try await client.browse(action, method: .post, form: [("csrf_token", try #require(page.hiddenField("csrf_token")))], jar: driver.jar)
            #expect(revoked.status == .seeOther)
            #expect(try await driver.introspect(tokens.access_token).active == false)
            #expect(try await driver.refresh(tokens.refresh_token).oauthError == "invalid_grant")
            let after = try await client.browse("/settings/connected-apps", jar: driver.jar)
            #expect(after.text.contains("Revoked"))
            #expect(after.text.contains("grant.revoked"))
        }
    }

    @Test func membersCannotRevokeTheirOrganizationsGrants() async throws {
        let world = try await OAuthWorld()
        let member = try await world.server.fixture.admin.createUser(email: Unique.email(), name: "Member", password: world.password)
        _ = try await world.server.fixture.admin.addMember(organizationSlug: world.organization.slug.value, email: member.email.value, role: "member")
        try await world.test { client in
            let owner = OAuthDriver(client: client, world: world)
            let tokens = try await owner.tokens()
            let other = OAuthDriver(client: client, world: world)
            try await other.signIn(as: member.email.value, password: world.password)
            let page = try await client.browse("/settings/connected-apps", jar: other.jar)
            #expect(!page.text.contains(tokens.grant_id))
            let csrf = try #require(page.hiddenField("csrf_token"))
            let attempt = try await client.browse("/settings/connected-apps/\(tokens.grant_id)/revoke", method: .post,
                                                  form: [("csrf_token", csrf)], jar: other.jar)
            #expect(attempt.status == .notFound)
            #expect(try await owner.introspect(tokens.access_token).active)
        }
    }

    @Test func developerAppsRegisterShowsTheSecretOnceRotateAndDelete() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await client.browse("/settings/apps", jar: driver.jar)
            let csrf = try #require(page.hiddenField("csrf_token"))
            let created = try await client.browse("/settings/apps", method: .post, form: [
                ("csrf_token", csrf), ("name", "My <b>Sync</b>"), ("type", "web"),
                ("redirect_uris", "https://mine.example.com/cb\nhttp://localhost:3000/cb"), ("logo_uri", ""),
            ], jar: driver.jar)
            #expect(created.status == .created)
            #expect(created.text.contains("My &lt;b&gt;Sync&lt;/b&gt;"))
            let secret = try #require(created.text.firstMatch(of: /bi_cs_[0-9A-Za-z]{38}/).map { String($0.output) })
            let clients = try await world.storage.clients(ownedBy: world.owner.id)
            #expect(clients.count == 1)
            let app = try #require(clients.first)
            #expect(app.secretDigest == SecretDigest(of: secret))
            #expect(app.redirectURIs == ["https://mine.example.com/cb", "http://localhost:3000/cb"])
            let listed = try await client.browse("/settings/apps", jar: driver.jar)
            #expect(!listed.text.contains(secret), "the secret is shown once")
            let rotated = try await client.browse("/settings/apps/\(app.id.rawValue)/rotate-secret", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            let newSecret = try #require(rotated.text.firstMatch(of: /bi_cs_[0-9A-Za-z]{38}/).map { String($0.output) })
            #expect(newSecret != secret)
            #expect(try await world.storage.client(id: app.id)?.secretDigest == SecretDigest(of: newSecret))
            let bad = try await client.browse("/settings/apps", method: .post, form: [
                ("csrf_token", csrf), ("name", "Bad"), ("type", "web"), ("redirect_uris", "http://evil.example.com/cb"),
            ], jar: driver.jar)
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("redirect_uri"))
            let deleted = try await client.browse("/settings/apps/\(app.id.rawValue)/delete", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(deleted.status == .seeOther)
            #expect(try await world.storage.client(id: app.id) == nil)
        }
        let events = try await world.storage.auditEvents(organization: nil, limit: 50).map(\.kind)
        #expect(events.contains(.clientSecretRotated))
        #expect(events.contains(.clientDeleted))
    }

    @Test func onlyTheOwnerCanChangeAnApp() async throws {
        let world = try await OAuthWorld()
        let stranger = try await world.server.fixture.admin.createUser(email: Unique.email(), name: "Stranger", password: world.password)
        let (app, _) = try await world.server.dependencies.oauth.clients.register(
            name: "Mine", type: "web", redirectURIs: [OAuthWorld.redirect], owner: world.owner.id, actor: "test"
        )
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn(as: stranger.email.value, password: world.password)
            let csrf = try #require(try await client.browse("/settings/apps", jar: driver.jar).hiddenField("csrf_token"))
            let attempt = try await client.browse("/settings/apps/\(app.id.rawValue)/delete", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(attempt.status == .notFound)
            #expect(try await world.storage.client(id: app.id) != nil)
        }
    }
}
