import BetterI18nCore
import BetterI18nStorage
import Foundation
import Testing

/// The member and invitation part of the storage contract, on SQLite and (in CI) PostgreSQL:
/// the last owner stays even under concurrent changes, and an invitation is accepted once.
@Suite struct MemberStorageContractTests {
    private func user(_ storage: some Storage, _ name: String = "U") async throws -> User {
        let user = User(id: .generate(), email: try EmailAddress(Unique.email(name)), name: name, createdAt: SystemWallClock().now())
        try await storage.createUser(user, passwordHash: "$2b$04$hash")
        return user
    }

    private func organization(_ storage: some Storage, owner: User) async throws -> Organization {
        let organization = Organization(id: .generate(), slug: try Slug(Unique.slug()), name: "Org", createdAt: SystemWallClock().now())
        try await storage.createOrganization(organization, owner: owner.id)
        return organization
    }

    private func invitation(_ organization: Organization, email: String, token: Secret, expires: Date) throws -> Invitation {
        Invitation(
            id: "inv_" + Unique.suffix(), organizationID: organization.id, email: try EmailAddress(email), role: .admin,
            tokenDigest: token.digest, invitedBy: "operator", createdAt: expires.addingTimeInterval(-3600), expiresAt: expires
        )
    }

    @Test(arguments: Backend.available)
    func rolesChangeAndTheLastOwnerIsNeverDemotedOrRemoved(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await user(storage, "owner")
        let organization = try await organization(storage, owner: owner)
        let member = try await user(storage, "member")
        try await storage.addMember(Membership(organizationID: organization.id, userID: member.id, role: .member, createdAt: SystemWallClock().now()))
        #expect(try await storage.members(of: organization.id).map(\.role) == [.owner, .member])
        #expect(try await storage.changeRole(of: owner.id, in: organization.id, to: .admin) == .lastOwner)
        #expect(try await storage.removeMember(owner.id, from: organization.id) == .lastOwner)
        #expect(try await storage.changeRole(of: member.id, in: organization.id, to: .owner) == .done)
        #expect(try await storage.changeRole(of: owner.id, in: organization.id, to: .member) == .done)
        #expect(try await storage.removeMember(member.id, from: organization.id) == .lastOwner)
        #expect(try await storage.removeMember(owner.id, from: organization.id) == .done)
        #expect(try await storage.removeMember(owner.id, from: organization.id) == .notMember)
        #expect(try await storage.members(of: organization.id).map(\.user.id) == [member.id])
    }

    @Test(arguments: Backend.available)
    func twoOwnersDemotingEachOtherAtOnceLeaveOneOwner(backend: Backend) async throws {
        let storage = try await backend.open()
        for _ in 0..<5 {
            let first = try await user(storage, "a")
            let organization = try await organization(storage, owner: first)
            let second = try await user(storage, "b")
            try await storage.addMember(Membership(organizationID: organization.id, userID: second.id, role: .owner, createdAt: SystemWallClock().now()))
            async let one = storage.removeMember(first.id, from: organization.id)
            async let two = storage.changeRole(of: second.id, in: organization.id, to: .member)
            let results = try await [one, two]
            #expect(results.filter { $0 == .done }.count == 1 && results.contains(.lastOwner))
            #expect(try await storage.members(of: organization.id).filter { $0.role == .owner }.count == 1)
        }
    }

    @Test(arguments: Backend.available)
    func anInvitationIsAcceptedOnceBeforeItExpiresWithItsRole(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await user(storage, "owner")
        let organization = try await organization(storage, owner: owner)
        let now = SystemWallClock().now()
        let email = Unique.email("invited")
        let token = Secret(kind: .invitation)
        try await storage.createInvitation(try invitation(organization, email: email, token: token, expires: now.addingTimeInterval(60)))
        #expect(try await storage.openInvitations(of: organization.id).count == 1)
        // Two new accounts racing for one link: exactly one is created and joins.
        let racers = try (0..<2).map { _ in User(id: .generate(), email: try EmailAddress(email), name: "New", createdAt: now) }
        async let first = storage.acceptInvitation(digest: token.digest, user: racers[0], newUserPasswordHash: "$2b$04$h", at: now)
        async let second = storage.acceptInvitation(digest: token.digest, user: racers[1], newUserPasswordHash: "$2b$04$h", at: now)
        let outcomes = [try? await first, try? await second]
        #expect(outcomes.compactMap { $0 ?? nil }.count == 1)
        let joined = try #require(try await storage.user(email: EmailAddress(email)))
        #expect(try await storage.role(of: joined.id, in: organization.id) == .admin)
        #expect(try await storage.invitation(digest: token.digest)?.acceptedBy == joined.id)
        #expect(try await storage.openInvitations(of: organization.id).isEmpty)

        let late = Secret(kind: .invitation)
        let existing = try await user(storage, "existing")
        try await storage.createInvitation(try invitation(organization, email: existing.email.value, token: late, expires: now))
        #expect(try await storage.acceptInvitation(digest: late.digest, user: existing, newUserPasswordHash: nil, at: now) == nil, "expired")
        #expect(try await storage.role(of: existing.id, in: organization.id) == nil)
        let open = try #require(try await storage.openInvitations(of: organization.id).first)
        #expect(try await storage.deleteInvitation(id: open.id, in: organization.id))
        #expect(try await storage.deleteInvitation(id: open.id, in: organization.id) == false)
    }

    @Test(arguments: Backend.available)
    func valueCountsCountLiveKeysWithAValuePerLanguage(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await user(storage)
        let organization = try await organization(storage, owner: owner)
        let now = SystemWallClock().now()
        let project = Project(id: .generate(), organizationID: organization.id, slug: try Slug("web"), name: "Web", sourceLanguage: try LanguageCode("en"), createdAt: now, updatedAt: now)
        try await storage.createProject(project, languages: [
            ProjectLanguage(projectID: project.id, code: try LanguageCode("en"), status: .active, isSource: true, createdAt: now),
            ProjectLanguage(projectID: project.id, code: try LanguageCode("de"), status: .active, isSource: false, createdAt: now),
        ])
        let keys = try ["a", "b", "c"].map {
            TranslationKey(id: .generate(), projectID: project.id, namespace: .default, name: try KeyName($0), description: nil, createdAt: now, updatedAt: now)
        }
        let en = try LanguageCode("en"), de = try LanguageCode("de")
        try await storage.createKeys(keys, translations: keys.map { Translation(keyID: $0.id, language: en, value: "x", updatedBy: nil, updatedAt: now) }
            + [Translation(keyID: keys[0].id, language: de, value: "y", updatedBy: nil, updatedAt: now)])
        try await storage.deleteKeys([keys[2].id], in: project.id, at: now)
        #expect(try await storage.valueCounts(in: project.id) == [en: 2, de: 1])
    }
}
