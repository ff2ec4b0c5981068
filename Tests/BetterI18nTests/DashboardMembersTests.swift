import BetterI18nAccounts
import BetterI18nCore
import Foundation
import HummingbirdTesting
import Testing

/// SPEC §4 Members: invitations (link shown once, 7 days, single use, by digest only), roles,
/// removal, the last owner, and the refusals around them.
@Suite struct DashboardMembersTests {
    struct World {
        let world: OAuthWorld
        var members: String { "/orgs/\(world.organization.slug.value)/members" }

        init() async throws {
            world = try await OAuthWorld()
        }

        func member(_ role: String, email: String? = nil) async throws -> User {
            let user = try await world.server.fixture.admin.createUser(email: email ?? Unique.email(role), name: "A \(role)", password: world.password)
            _ = try await world.server.fixture.admin.addMember(organizationSlug: world.organization.slug.value, email: user.email.value, role: role)
            return user
        }

        /// Signs the owner in and invites `email`; returns the link's path and token.
        func invite(_ client: any TestClientProtocol, _ driver: OAuthDriver, email: String, role: String = "member") async throws -> (path: String, token: String) {
            let csrf = try #require(try await client.browse(members, jar: driver.jar).hiddenField("csrf_token"))
            let created = try await client.browse(members + "/invite", method: .post, form: [("csrf_token", csrf), ("email", email), ("role", role)], jar: driver.jar)
            #expect(created.status == .created)
            let link = try #require(created.text.firstMatch(of: />(http:\/\/127\.0\.0\.1:8080\/invitations\/(bi_inv_[0-9A-Za-z]{38}))<\/textarea>/))
            return (String(link.output.1).replacingOccurrences(of: "http://127.0.0.1:8080", with: ""), String(link.output.2))
        }

        func role(of user: User) async throws -> Role? {
            try await world.storage.role(of: user.id, in: world.organization.id)
        }
    }

    @Test func anInvitationLinkIsAbsoluteShownOnceAndStoredByDigestOnly() async throws {
        let w = try await World()
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let (path, token) = try await w.invite(client, driver, email: "New.Person@Example.com")
            #expect(path == "/invitations/" + token)
            let stored = try #require(try await w.world.storage.invitation(digest: SecretDigest(of: token)))
            #expect(stored.email.value == "new.person@example.com")
            #expect(stored.expiresAt == stored.createdAt.addingTimeInterval(7 * 24 * 3600))
            let again = try await client.browse(w.members, jar: driver.jar)
            #expect(!again.text.contains(token), "shown once")
            #expect(again.text.contains("new.person@example.com"))
            if let file = w.world.databasePath {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: file)) + ((try? Data(contentsOf: URL(fileURLWithPath: file + "-wal"))) ?? Data())
                #expect(bytes.range(of: Data(token.utf8)) == nil, "only the digest is stored")
            }
            let member = try await client.browse(w.members + "/invite", method: .post, form: [
                ("csrf_token", try #require(again.hiddenField("csrf_token"))), ("email", w.world.owner.email.value),
            ], jar: driver.jar)
            #expect(member.status == .unprocessableContent && member.text.contains("already a member"))
            let bad = try await client.browse(w.members + "/invite", method: .post, form: [
                ("csrf_token", try #require(again.hiddenField("csrf_token"))), ("email", "<script>x</script>"),
            ], jar: driver.jar)
            #expect(bad.status == .unprocessableContent && bad.text.contains("id=\"invite-email-error\"") && !bad.text.contains("<script>x"))
        }
        let event = try #require(try await w.world.storage.auditEvents(organization: w.world.organization.id, limit: 5).first { $0.kind == .memberInvited })
        #expect(event.details["via"] == "dashboard" && event.details["email"] == "new.person@example.com")
    }

    @Test func aWithdrawnInvitationStopsWorkingAndOtherOrganizationsIdsAre404() async throws {
        let w = try await World()
        let admin = w.world.server.fixture.admin
        let stranger = try await admin.createUser(email: Unique.email("stranger"), name: "Stranger", password: w.world.password)
        let other = try await admin.createOrganization(slug: Unique.slug("other"), name: "Other", ownerEmail: stranger.email.value)
        let (foreign, _) = try await admin.invite(organizationSlug: other.slug.value, email: "x@example.com", role: "member", publicURL: URL(string: "https://e.example.com")!)
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let (path, token) = try await w.invite(client, driver, email: Unique.email("withdrawn"))
            let invitation = try #require(try await w.world.storage.invitation(digest: SecretDigest(of: token)))
            let csrf = try #require(try await client.browse(w.members, jar: driver.jar).hiddenField("csrf_token"))
            // Another organization's invitation and member, named in this organization's URLs.
            let foreignWithdraw = try await client.browse("/orgs/\(w.world.organization.slug.value)/invitations/\(foreign.id)/revoke", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(foreignWithdraw.status == .notFound)
            let foreignRole = try await client.browse("\(w.members)/\(stranger.id.rawValue)/role", method: .post, form: [("csrf_token", csrf), ("role", "member")], jar: driver.jar)
            #expect(foreignRole.status == .notFound)
            let foreignRemove = try await client.browse("\(w.members)/\(stranger.id.rawValue)/remove", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(foreignRemove.status == .notFound)
            let withdrawn = try await client.browse("/orgs/\(w.world.organization.slug.value)/invitations/\(invitation.id)/revoke", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(withdrawn.status == .seeOther)
            #expect(try await client.browse(path, jar: CookieJar()).status == .notFound)
        }
        #expect(try await w.world.storage.openInvitations(of: other.id).map(\.id) == [foreign.id])
        #expect(try await w.world.storage.role(of: stranger.id, in: other.id) == .owner)
    }

    @Test func aNewUserSetsNameAndPasswordIsSignedInAndTheLinkIsSingleUse() async throws {
        let w = try await World()
        try await w.world.test { client in
            let owner = OAuthDriver(client: client, world: w.world)
            try await owner.signIn()
            let email = Unique.email("colleague")
            let (path, _) = try await w.invite(client, owner, email: email)
            let guest = CookieJar()
            let page = try await client.browse(path, jar: guest)
            #expect(page.status == .ok && page.text.contains(email))
            let csrf = try #require(page.hiddenField("csrf_token"))
            let missing = try await client.browse(path, method: .post, form: [("name", "Colleague"), ("password", "long enough password")], jar: guest)
            #expect(missing.status == .forbidden, "no CSRF token, nothing created")
            let short = try await client.browse(path, method: .post, form: [("csrf_token", csrf), ("name", "<b>Colleague</b>"), ("password", "short")], jar: guest)
            #expect(short.status == .unprocessableContent && short.text.contains("id=\"password-error\""))
            #expect(short.text.contains("value=\"&lt;b&gt;Colleague&lt;/b&gt;\""))
            let replayJar = CookieJar()
            replayJar["bi_invitation_csrf"] = guest["bi_invitation_csrf"]
            let accepted = try await client.browse(path, method: .post, form: [("csrf_token", csrf), ("name", "Colleague"), ("password", "long enough password")], jar: guest)
            #expect(accepted.status == .seeOther)
            #expect(accepted.setCookie(named: "bi_session") != nil, "accepting signs in")
            let home = try await client.browse("/", jar: guest)
            #expect(home.text.contains(w.world.organization.name) && home.text.contains("Colleague"))
            let user = try #require(try await w.world.storage.user(email: EmailAddress(email)))
            #expect(try await w.role(of: user) == .member)
            let reused = try await client.browse(path, jar: CookieJar())
            #expect(reused.status == .gone && reused.text.contains("already used"))
            let replay = try await client.browse(path, method: .post, form: [("csrf_token", csrf), ("name", "Mallory"), ("password", "long enough password")], jar: replayJar)
            #expect(replay.status == .gone)
        }
    }

    @Test func anExpiredOrUnknownInvitationIsRefused() async throws {
        let w = try await World()
        try await w.world.test { client in
            let owner = OAuthDriver(client: client, world: w.world)
            try await owner.signIn()
            let email = Unique.email("late")
            let (path, _) = try await w.invite(client, owner, email: email)
            w.world.clock.advance(by: 7 * 24 * 3600 + 1)
            let guest = CookieJar()
            let page = try await client.browse(path, jar: guest)
            #expect(page.status == .gone && page.text.contains("expired"))
            let post = try await client.browse(path, method: .post, form: [("csrf_token", "x"), ("name", "Late"), ("password", "long enough password")], jar: guest)
            #expect(post.status == .forbidden || post.status == .gone)
            #expect(try await w.world.storage.user(email: EmailAddress(email)) == nil)
            let unknown = try await client.browse("/invitations/" + Secret(kind: .invitation).value, jar: guest)
            #expect(unknown.status == .notFound)
            let garbage = try await client.browse("/invitations/%3Cscript%3E", jar: guest)
            #expect(garbage.status == .notFound && !garbage.text.contains("<script>"))
        }
    }

    @Test func anExistingUserSignsInAndAcceptsButNotWithAnotherEmail() async throws {
        let w = try await World()
        let invited = try await w.world.server.fixture.admin.createUser(email: Unique.email("invited"), name: "Invited", password: w.world.password)
        let someoneElse = try await w.world.server.fixture.admin.createUser(email: Unique.email("else"), name: "Else", password: w.world.password)
        try await w.world.test { client in
            let owner = OAuthDriver(client: client, world: w.world)
            try await owner.signIn()
            let (path, _) = try await w.invite(client, owner, email: invited.email.value, role: "admin")
            let wrong = OAuthDriver(client: client, world: w.world)
            try await wrong.signIn(as: someoneElse.email.value, password: w.world.password)
            let wrongPage = try await client.browse(path, jar: wrong.jar)
            #expect(wrongPage.text.contains("Sign out and sign in as"))
            let refused = try await client.browse(path, method: .post, form: [("csrf_token", try #require(wrongPage.hiddenField("csrf_token")))], jar: wrong.jar)
            #expect(refused.status == .forbidden)
            #expect(try await w.world.storage.role(of: someoneElse.id, in: w.world.organization.id) == nil)
            // Signed out, the page offers sign-in coming back here.
            let signedOut = try await client.browse(path, jar: CookieJar())
            #expect(signedOut.text.contains("/login?return_to=%2Finvitations%2F"))
            let right = OAuthDriver(client: client, world: w.world)
            try await right.signIn(as: invited.email.value, password: w.world.password)
            let page = try await client.browse(path, jar: right.jar)
            let forged = try await client.browse(path, method: .post, form: [("csrf_token", "forged")], jar: right.jar)
            #expect(forged.status == .forbidden)
            let accepted = try await client.browse(path, method: .post, form: [("csrf_token", try #require(page.hiddenField("csrf_token")))], jar: right.jar)
            #expect(accepted.status == .seeOther)
            #expect(try await w.role(of: invited) == .admin)
        }
        let kinds = try await w.world.storage.auditEvents(organization: w.world.organization.id, limit: 10).map(\.kind)
        #expect(kinds.contains(.memberJoined))
    }

    @Test func rolesChangeMembersAreRemovedAndTheLastOwnerStays() async throws {
        let w = try await World()
        let member = try await w.member("member")
        try await w.world.test { client in
            let owner = OAuthDriver(client: client, world: w.world)
            try await owner.signIn()
            let csrf = try #require(try await client.browse(w.members, jar: owner.jar).hiddenField("csrf_token"))
            let demoteSelf = try await client.browse("\(w.members)/\(w.world.owner.id.rawValue)/role", method: .post, form: [("csrf_token", csrf), ("role", "admin")], jar: owner.jar)
            #expect(demoteSelf.status == .conflict && demoteSelf.text.contains("last owner"))
            let removeSelf = try await client.browse("\(w.members)/\(w.world.owner.id.rawValue)/remove", method: .post, form: [("csrf_token", csrf)], jar: owner.jar)
            #expect(removeSelf.status == .conflict)
            #expect(try await w.role(of: w.world.owner) == .owner)
            let promoted = try await client.browse("\(w.members)/\(member.id.rawValue)/role", method: .post, form: [("csrf_token", csrf), ("role", "admin")], jar: owner.jar)
            #expect(promoted.status == .seeOther)
            #expect(try await w.role(of: member) == .admin)
            let badRole = try await client.browse("\(w.members)/\(member.id.rawValue)/role", method: .post, form: [("csrf_token", csrf), ("role", "<script>")], jar: owner.jar)
            #expect(badRole.status == .unprocessableContent && !badRole.text.contains("<script>"))
            let removed = try await client.browse("\(w.members)/\(member.id.rawValue)/remove", method: .post, form: [("csrf_token", csrf)], jar: owner.jar)
            #expect(removed.status == .seeOther)
            #expect(try await w.role(of: member) == nil)
            let gone = try await client.browse("\(w.members)/\(member.id.rawValue)/remove", method: .post, form: [("csrf_token", csrf)], jar: owner.jar)
            #expect(gone.status == .notFound)
        }
        let kinds = try await w.world.storage.auditEvents(organization: w.world.organization.id, limit: 10).filter { $0.details["via"] == "dashboard" }.map(\.kind)
        #expect(kinds.contains(.memberRoleChanged) && kinds.contains(.memberRemoved))
    }

    @Test func membersCannotReachTheMembersPageAndAdminsCannotTouchOwners() async throws {
        let w = try await World()
        let member = try await w.member("member")
        let admin = try await w.member("admin")
        try await w.world.test { client in
            let asMember = OAuthDriver(client: client, world: w.world)
            try await asMember.signIn(as: member.email.value, password: w.world.password)
            #expect(try await client.browse(w.members, jar: asMember.jar).status == .forbidden)
            let csrf = try #require(try await client.browse("/", jar: asMember.jar).hiddenField("csrf_token"))
            let invite = try await client.browse(w.members + "/invite", method: .post, form: [("csrf_token", csrf), ("email", "x@example.com")], jar: asMember.jar)
            #expect(invite.status == .forbidden)
            #expect(try await w.world.storage.openInvitations(of: w.world.organization.id).isEmpty)
            let asAdmin = OAuthDriver(client: client, world: w.world)
            try await asAdmin.signIn(as: admin.email.value, password: w.world.password)
            let adminCSRF = try #require(try await client.browse(w.members, jar: asAdmin.jar).hiddenField("csrf_token"))
            let makeOwner = try await client.browse("\(w.members)/\(member.id.rawValue)/role", method: .post, form: [("csrf_token", adminCSRF), ("role", "owner")], jar: asAdmin.jar)
            #expect(makeOwner.status == .forbidden)
            let removeOwner = try await client.browse("\(w.members)/\(w.world.owner.id.rawValue)/remove", method: .post, form: [("csrf_token", adminCSRF)], jar: asAdmin.jar)
            #expect(removeOwner.status == .forbidden)
            let inviteOwner = try await client.browse(w.members + "/invite", method: .post, form: [("csrf_token", adminCSRF), ("email", "boss@example.com"), ("role", "owner")], jar: asAdmin.jar)
            #expect(inviteOwner.status == .forbidden)
            let inviteMember = try await client.browse(w.members + "/invite", method: .post, form: [("csrf_token", adminCSRF), ("email", "mate@example.com"), ("role", "member")], jar: asAdmin.jar)
            #expect(inviteMember.status == .created)
        }
        #expect(try await w.role(of: member) == .member)
        #expect(try await w.role(of: w.world.owner) == .owner)
    }

    @Test func theAdminCommandsInviteChangeRolesAndRemoveThroughTheSameRules() async throws {
        let w = try await World()
        let admin = w.world.server.fixture.admin
        let slug = w.world.organization.slug.value
        let member = try await w.member("member")
        let (invitation, link) = try await admin.invite(organizationSlug: slug, email: "cli@example.com", role: "admin", publicURL: URL(string: "https://i18n.example.com/")!)
        #expect(link.hasPrefix("https://i18n.example.com/invitations/bi_inv_"))
        #expect(invitation.invitedBy == "operator")
        _ = try await admin.changeRole(organizationSlug: slug, email: member.email.value, role: "owner")
        #expect(try await w.role(of: member) == .owner)
        _ = try await admin.changeRole(organizationSlug: slug, email: w.world.owner.email.value, role: "member")
        await #expect(throws: AdminError.self) {
            _ = try await admin.removeMember(organizationSlug: slug, email: member.email.value)
        }
        _ = try await admin.changeRole(organizationSlug: slug, email: w.world.owner.email.value, role: "owner")
        _ = try await admin.removeMember(organizationSlug: slug, email: member.email.value)
        #expect(try await w.role(of: member) == nil)
        let event = try #require(try await w.world.storage.auditEvents(organization: w.world.organization.id, limit: 10).first { $0.kind == .memberRemoved })
        #expect(event.details["via"] == "cli" && event.actor == "operator")
    }
}
