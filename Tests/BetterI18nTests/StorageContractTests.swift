import BetterI18nCore
import BetterI18nStorage
import Foundation
import Testing

/// One contract for every ``Storage`` backend (STYLE.md §7): each test runs on SQLite and,
/// when `BETTER_I18N_TEST_POSTGRES_URL` is set, on PostgreSQL.
@Suite struct StorageContractTests {
    private func newUser(_ storage: some Storage, at date: Date = SystemWallClock().now()) async throws -> User {
        let user = User(id: .generate(), email: try EmailAddress(Unique.email()), name: "Test", createdAt: date)
        try await storage.createUser(user, passwordHash: "$2b$04$hash")
        return user
    }

    private func newOrganization(_ storage: some Storage, owner: User) async throws -> Organization {
        let organization = Organization(id: .generate(), slug: try Slug(Unique.slug()), name: "Org", createdAt: SystemWallClock().now())
        try await storage.createOrganization(organization, owner: owner.id)
        return organization
    }

    private func newProject(_ storage: some Storage, in organization: Organization, slug: String = "web") async throws -> Project {
        let now = SystemWallClock().now()
        let project = Project(
            id: .generate(), organizationID: organization.id, slug: try Slug(slug), name: "Web",
            sourceLanguage: try LanguageCode("en"), createdAt: now, updatedAt: now
        )
        try await storage.createProject(project, languages: [
            ProjectLanguage(projectID: project.id, code: try LanguageCode("en"), status: .active, isSource: true, createdAt: now),
            ProjectLanguage(projectID: project.id, code: try LanguageCode("de"), status: .draft, isSource: false, createdAt: now),
        ])
        return project
    }

    private func key(_ name: String, in project: Project, namespace: String = "default") throws -> TranslationKey {
        TranslationKey(
            id: .generate(), projectID: project.id, namespace: try NamespaceName(namespace), name: try KeyName(name),
            description: nil, createdAt: SystemWallClock().now(), updatedAt: SystemWallClock().now()
        )
    }

    @Test(arguments: Backend.available)
    func usersRoundTripAndEmailsAreUnique(backend: Backend) async throws {
        let storage = try await backend.open()
        let created = Date(millisecondsSince1970: 1_800_000_000_123)
        let user = try await newUser(storage, at: created)
        #expect(try await storage.user(id: user.id) == user)
        #expect(try await storage.user(email: user.email) == user)
        #expect(try await storage.credentials(email: user.email)?.passwordHash == "$2b$04$hash")
        let duplicate = User(id: .generate(), email: user.email, name: "Other", createdAt: SystemWallClock().now())
        await #expect(throws: StorageError.conflict("")) {
            try await storage.createUser(duplicate, passwordHash: "x")
        }
        #expect(try await storage.user(id: duplicate.id) == nil)
        #expect(try await storage.user(email: try EmailAddress(Unique.email())) == nil)
    }

    @Test(arguments: Backend.available)
    func organizationIsCreatedWithItsOwnerInOneTransaction(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await newUser(storage)
        let organization = try await newOrganization(storage, owner: owner)
        #expect(try await storage.organization(id: organization.id) == organization)
        #expect(try await storage.organization(slug: organization.slug) == organization)
        #expect(try await storage.role(of: owner.id, in: organization.id) == .owner)
        #expect(try await storage.memberships(of: owner.id).map(\.organization) == [organization])
    }

    @Test(arguments: Backend.available)
    func organizationWithUnknownOwnerRollsBackAsAWhole(backend: Backend) async throws {
        let storage = try await backend.open()
        let organization = Organization(id: .generate(), slug: try Slug(Unique.slug()), name: "Org", createdAt: SystemWallClock().now())
        await #expect(throws: StorageError.self) {
            try await storage.createOrganization(organization, owner: .generate())
        }
        // The membership insert failed on its foreign key; the organization row must be gone too.
        #expect(try await storage.organization(id: organization.id) == nil)
        #expect(try await storage.organization(slug: organization.slug) == nil)
    }

    @Test(arguments: Backend.available)
    func membershipsCarryRolesAndAreUnique(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await newUser(storage)
        let member = try await newUser(storage)
        let organization = try await newOrganization(storage, owner: owner)
        try await storage.addMember(Membership(organizationID: organization.id, userID: member.id, role: .member, createdAt: SystemWallClock().now()))
        #expect(try await storage.role(of: member.id, in: organization.id) == .member)
        await #expect(throws: StorageError.conflict("")) {
            try await storage.addMember(Membership(organizationID: organization.id, userID: member.id, role: .admin, createdAt: SystemWallClock().now()))
        }
        #expect(try await storage.role(of: member.id, in: organization.id) == .member)
    }

    @Test(arguments: Backend.available)
    func projectSlugsAreUniquePerOrganizationOnly(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await newUser(storage)
        let first = try await newOrganization(storage, owner: owner)
        let second = try await newOrganization(storage, owner: owner)
        let project = try await newProject(storage, in: first)
        await #expect(throws: StorageError.conflict("")) {
            _ = try await newProject(storage, in: first)
        }
        _ = try await newProject(storage, in: second)
        #expect(try await storage.project(id: project.id) == project)
        #expect(try await storage.project(organization: first.id, slug: project.slug) == project)
        #expect(try await storage.projects(in: first.id) == [project])
        let languages = try await storage.languages(of: project.id)
        #expect(languages.map(\.code.value) == ["en", "de"])
        #expect(languages.map(\.isSource) == [true, false])
        #expect(languages.map(\.status) == [.active, .draft])
        #expect(try await storage.namespaces(of: project.id) == [.default])
    }

    @Test(arguments: Backend.available)
    func keysAreUniqueAmongLiveKeysAndDeletionIsSoft(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await newUser(storage)
        let project = try await newProject(storage, in: try await newOrganization(storage, owner: owner))
        let greeting = try key("greeting", in: project)
        let checkout = try key("greeting", in: project, namespace: "checkout")
        try await storage.createKeys([greeting, checkout], translations: [])
        #expect(try await storage.namespaces(of: project.id).map(\.value) == ["checkout", "default"])
        await #expect(throws: StorageError.conflict("")) {
            try await storage.createKeys([try key("greeting", in: project)], translations: [])
        }
        try await storage.deleteKeys([greeting.id], in: project.id, at: SystemWallClock().now())
        #expect(try await storage.keys(in: project.id, includingDeleted: false).map(\.id) == [checkout.id])
        let all = try await storage.keys(in: project.id, includingDeleted: true)
        #expect(all.count == 2)
        #expect(all.first { $0.id == greeting.id }?.deletedAt != nil)
        // The deleted key's name is free again.
        try await storage.createKeys([try key("greeting", in: project)], translations: [])
    }

    @Test(arguments: Backend.available)
    func aBatchOfKeysIsAllOrNothing(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await newUser(storage)
        let project = try await newProject(storage, in: try await newOrganization(storage, owner: owner))
        let existing = try key("taken", in: project)
        try await storage.createKeys([existing], translations: [])
        let fresh = try key("fresh", in: project, namespace: "new-namespace")
        let clash = try key("taken", in: project)
        let value = Translation(keyID: fresh.id, language: try LanguageCode("de"), value: "Neu", updatedBy: nil, updatedAt: SystemWallClock().now())
        await #expect(throws: StorageError.conflict("")) {
            try await storage.createKeys([fresh, clash], translations: [value])
        }
        #expect(try await storage.keys(in: project.id, includingDeleted: true).map(\.id) == [existing.id])
        #expect(try await storage.translations(in: project.id).isEmpty)
        #expect(try await storage.namespaces(of: project.id) == [.default])
    }

    @Test(arguments: Backend.available)
    func deletingAnUnknownKeyDeletesNothing(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await newUser(storage)
        let project = try await newProject(storage, in: try await newOrganization(storage, owner: owner))
        let live = try key("live", in: project)
        try await storage.createKeys([live], translations: [])
        await #expect(throws: StorageError.notFound("")) {
            try await storage.deleteKeys([live.id, .generate()], in: project.id, at: SystemWallClock().now())
        }
        #expect(try await storage.keys(in: project.id, includingDeleted: false).map(\.id) == [live.id])
    }

    @Test(arguments: Backend.available)
    func translationsUpsertOneValuePerKeyAndLanguage(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await newUser(storage)
        let project = try await newProject(storage, in: try await newOrganization(storage, owner: owner))
        let greeting = try key("greeting", in: project)
        let de = try LanguageCode("de")
        let first = Translation(keyID: greeting.id, language: de, value: "Hallo", updatedBy: owner.id.rawValue,
                                updatedAt: Date(millisecondsSince1970: 1_000))
        try await storage.createKeys([greeting], translations: [first])
        let second = Translation(keyID: greeting.id, language: de, value: "Servus", updatedBy: nil,
                                 updatedAt: Date(millisecondsSince1970: 2_000))
        try await storage.saveTranslations([second])
        #expect(try await storage.translations(in: project.id) == [second])
        // Values of deleted keys are no longer the project's translations.
        try await storage.deleteKeys([greeting.id], in: project.id, at: SystemWallClock().now())
        #expect(try await storage.translations(in: project.id).isEmpty)
    }

    /// What an export reads: live keys' values, by namespace when asked, three columns each.
    @Test(arguments: Backend.available)
    func exportValuesAreTheLiveKeysValuesOfANamespace(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await newUser(storage)
        let project = try await newProject(storage, in: try await newOrganization(storage, owner: owner))
        let greeting = try key("greeting", in: project)
        var title = try key("title", in: project)
        title.namespace = try NamespaceName("settings")
        let gone = try key("gone", in: project)
        let now = Date(millisecondsSince1970: 1_000)
        let de = try LanguageCode("de"), en = try LanguageCode("en")
        try await storage.applyKeys(created: [greeting, title, gone], updated: [], translations: [
            Translation(keyID: greeting.id, language: en, value: "Hello", updatedBy: nil, updatedAt: now),
            Translation(keyID: greeting.id, language: de, value: "Hallo", updatedBy: nil, updatedAt: now),
            Translation(keyID: title.id, language: en, value: "Title", updatedBy: nil, updatedAt: now),
            Translation(keyID: gone.id, language: en, value: "Gone", updatedBy: nil, updatedAt: now),
        ])
        try await storage.deleteKeys([gone.id], in: project.id, at: now)
        let all = try await storage.values(in: project.id, namespace: nil).map { "\($0.keyID.rawValue) \($0.language) \($0.value)" }
        #expect(Set(all) == ["\(greeting.id.rawValue) en Hello", "\(greeting.id.rawValue) de Hallo", "\(title.id.rawValue) en Title"])
        let settings = try await storage.values(in: project.id, namespace: "settings")
        #expect(settings.map(\.value) == ["Title"])
    }

    @Test(arguments: Backend.available)
    func clientsStoreOnlyTheSecretDigest(backend: Backend) async throws {
        let storage = try await backend.open()
        let secret = Secret(kind: .clientSecret)
        let client = OAuthClient(
            id: .generate(), name: "Partner <b>", type: .web, redirectURIs: ["https://p.example.com/cb", "http://127.0.0.1/cb"],
            logoURI: "https://p.example.com/logo.png", clientURI: nil, ownerUserID: nil, secretDigest: secret.digest,
            isVerified: false, createdAt: Date(millisecondsSince1970: 5_000)
        )
        try await storage.createClient(client)
        #expect(try await storage.client(id: client.id) == client)
        #expect(try await storage.client(id: .generate()) == nil)
    }

    @Test(arguments: Backend.available)
    func sessionsAreFoundByDigestAndExpire(backend: Backend) async throws {
        let storage = try await backend.open()
        let user = try await newUser(storage)
        let secret = Secret(kind: .session)
        let now = Date(millisecondsSince1970: 1_800_000_000_000)
        let session = DashboardSession(digest: secret.digest, userID: user.id, createdAt: now, expiresAt: now.addingTimeInterval(60))
        try await storage.createSession(session)
        #expect(try await storage.session(digest: SecretDigest(of: secret.value)) == session)
        #expect(try await storage.deleteSessions(expiredBefore: now.addingTimeInterval(61)) >= 1)
        #expect(try await storage.session(digest: secret.digest) == nil)
    }

    @Test(arguments: Backend.available)
    func concurrentWritersAllLand(backend: Backend) async throws {
        let storage = try await backend.open()
        let ids = try await withThrowingTaskGroup(of: UserID.self) { group in
            for _ in 0..<40 {
                group.addTask { try await newUser(storage).id }
            }
            return try await group.reduce(into: [UserID]()) { $0.append($1) }
        }
        for id in ids {
            #expect(try await storage.user(id: id) != nil)
        }
    }

    @Test(arguments: Backend.available)
    func ofConcurrentCreationsWithOneSlugExactlyOneWins(backend: Backend) async throws {
        let storage = try await backend.open()
        let owner = try await newUser(storage)
        let slug = try Slug(Unique.slug())
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    let organization = Organization(id: .generate(), slug: slug, name: "Race", createdAt: SystemWallClock().now())
                    return (try? await storage.createOrganization(organization, owner: owner.id)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(try await storage.memberships(of: owner.id).count == 1)
    }

    @Test(arguments: Backend.available)
    func migrationsAreIdempotent(backend: Backend) async throws {
        switch backend {
        case .sqlite:
            let path = TemporaryFiles.databasePath()
            let first = try await StorageFactory.open(url: "sqlite://" + path, logger: .quiet)
            let user = try await newUser(first)
            try await first.close()
            let second = try await StorageFactory.open(url: "sqlite://" + path, logger: .quiet)
            #expect(try await second.user(id: user.id) == user)
        case .postgres:
            // Two opens against one database: the second finds every migration applied.
            let first = try await backend.open()
            let user = try await newUser(first)
            let second = try await backend.open()
            #expect(try await second.user(id: user.id) == user)
        }
    }

    @Test(arguments: Backend.available)
    func pingAnswersWhileTheDatabaseIsUp(backend: Backend) async throws {
        let storage = try await backend.open()
        try await storage.ping()
    }
}

@Suite struct StorageFactoryTests {
    @Test func unsupportedURLIsAClearError() async {
        await #expect(throws: StorageError.unavailable("")) {
            _ = try await StorageFactory.open(url: "mysql://localhost/db", logger: .quiet)
        }
    }

    @Test func unreadableSQLitePathIsAClearError() async throws {
        // A directory where the file should be cannot be opened as a database.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("better-i18n-dir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        await #expect(throws: StorageError.unavailable("")) {
            _ = try await StorageFactory.open(url: "sqlite://" + directory.path, logger: .quiet)
        }
    }

    @Test func unreachablePostgresIsAClearErrorWithoutThePassword() async throws {
        do {
            _ = try await StorageFactory.open(url: "postgres://app:hunter2secret@127.0.0.1:1/db", logger: .quiet)
            Issue.record("connecting to a closed port should fail")
        } catch let error as StorageError {
            #expect(error.isUnavailable)
            #expect(!error.description.contains("hunter2secret"))
        }
    }
}
