import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §10 **Settings → API keys**: owners and admins create a public key (shown once,
/// stored as a digest), see it listed with its last use, and revoke it; members cannot.
@Suite struct APIKeysPageTests {
    @Test func ownersCreateSeeOnceAndRevokePublicKeys() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await client.browse("/settings/api-keys", jar: driver.jar)
            #expect(page.status == .ok)
            #expect(page.text.contains("href=\"/settings/api-keys\""), "the settings navigation links the page")
            let csrf = try #require(page.hiddenField("csrf_token"))
            let forged = try await client.browse("/settings/api-keys", method: .post,
                                                 form: [("csrf_token", "nope"), ("project_id", world.projects[0].id.rawValue), ("name", "X")], jar: driver.jar)
            #expect(forged.status == .forbidden)
            let created = try await client.browse("/settings/api-keys", method: .post, form: [
                ("csrf_token", csrf), ("project_id", world.projects[0].id.rawValue), ("name", "<Website>"),
            ], jar: driver.jar)
            #expect(created.status == .created)
            let key = try #require(created.text.range(of: #"bi_pub_[0-9A-Za-z]{38}"#, options: .regularExpression).map { String(created.text[$0]) })
            #expect(created.text.contains("&lt;Website&gt;"), "names are escaped")
            let stored = try await world.storage.publicKeys(in: world.organization.id)
            #expect(stored.count == 1)
            #expect(stored[0].digest == SecretDigest(of: key))
            // Listed without the key itself, with its last use once used.
            let path = "/v1/content/\(world.organization.slug.value)/web/models"
            #expect(try await client.execute(uri: path, method: .get, headers: [.init("x-api-key")!: key]).status == .ok)
            let listed = try await client.browse("/settings/api-keys", jar: driver.jar)
            #expect(!listed.text.contains(key))
            #expect(listed.text.contains(stored[0].id.rawValue))
            #expect(!listed.text.contains("Never"), "last use is shown")
            let bad = try await client.browse("/settings/api-keys", method: .post, form: [
                ("csrf_token", csrf), ("project_id", "prj_nope"), ("name", "X"),
            ], jar: driver.jar)
            #expect(bad.status == .badRequest)
            let revoked = try await client.browse("/settings/api-keys/\(stored[0].id.rawValue)/revoke", method: .post,
                                                  form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(revoked.status == .seeOther)
            #expect(try await client.execute(uri: path, method: .get, headers: [.init("x-api-key")!: key]).status == .unauthorized)
            #expect(try await client.browse("/settings/api-keys", jar: driver.jar).text.contains("Revoked"))
        }
    }

    @Test func membersCannotManageKeys() async throws {
        let world = try await OAuthWorld()
        let member = try await world.server.fixture.admin.createUser(email: Unique.email(), name: "Member", password: world.password)
        _ = try await world.server.fixture.admin.addMember(organizationSlug: world.organization.slug.value, email: member.email.value, role: "member")
        let (key, _) = try await world.server.dependencies.publicKeys.create(for: world.projects[0], name: "Site")
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn(as: member.email.value, password: world.password)
            #expect(try await client.browse("/settings/api-keys", jar: driver.jar).status == .forbidden)
            let home = try await client.browse("/settings/connected-apps", jar: driver.jar)
            let csrf = try #require(home.hiddenField("csrf_token"))
            let create = try await client.browse("/settings/api-keys", method: .post, form: [
                ("csrf_token", csrf), ("project_id", world.projects[0].id.rawValue), ("name", "Mine"),
            ], jar: driver.jar)
            #expect(create.status == .forbidden)
            let revoke = try await client.browse("/settings/api-keys/\(key.id.rawValue)/revoke", method: .post,
                                                 form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(revoke.status == .notFound)
            #expect(try await world.storage.publicKeys(in: world.organization.id).count == 1)
            #expect(try await world.storage.publicKey(id: key.id)?.revokedAt == nil)
        }
    }
}
