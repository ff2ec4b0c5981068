import BetterI18nCore
@testable import BetterI18nProjects
import BetterI18nStorage
import Foundation
import Testing

/// The release part of the storage contract, on SQLite and (in CI) PostgreSQL: numbering,
/// immutability, carried-over languages, and concurrent publishes.
@Suite struct ReleaseStorageContractTests {
    private struct World {
        let storage: SQLStorage
        let project: Project
        let keys: [TranslationKey]
    }

    private func world(_ backend: Backend) async throws -> World {
        let storage = try await backend.open()
        let now = SystemWallClock().now()
        let user = User(id: .generate(), email: try EmailAddress(Unique.email()), name: "T", createdAt: now)
        try await storage.createUser(user, passwordHash: "$2b$04$hash")
        let organization = Organization(id: .generate(), slug: try Slug(Unique.slug()), name: "Org", createdAt: now)
        try await storage.createOrganization(organization, owner: user.id)
        let project = Project(id: .generate(), organizationID: organization.id, slug: try Slug("web"), name: "Web",
                              sourceLanguage: try LanguageCode("en"), createdAt: now, updatedAt: now)
        try await storage.createProject(project, languages: [
            ProjectLanguage(projectID: project.id, code: try LanguageCode("en"), status: .active, isSource: true, createdAt: now),
            ProjectLanguage(projectID: project.id, code: try LanguageCode("de"), status: .active, isSource: false, createdAt: now),
        ])
        let keys = try ["hello", "bye"].map {
            TranslationKey(id: .generate(), projectID: project.id, namespace: .default, name: try KeyName($0),
                           description: nil, createdAt: now, updatedAt: now)
        }
        try await storage.createKeys(keys, translations: [
            Translation(keyID: keys[0].id, language: try LanguageCode("en"), value: "Hello", updatedBy: nil, updatedAt: now),
            Translation(keyID: keys[0].id, language: try LanguageCode("de"), value: "Hallo", updatedBy: nil, updatedAt: now),
        ])
        return World(storage: storage, project: project, keys: keys)
    }

    private func publish(_ world: World, _ languages: [String]? = nil, at time: Date = SystemWallClock().now()) async throws -> Release {
        let chosen = try (languages ?? ["en", "de"]).map { try LanguageCode($0) }
        return try await world.storage.publishRelease(
            id: .generate(), project: world.project.id, languages: chosen, at: time, publishedBy: "operator"
        ) { input in
            ReleaseService.render(input)
        }
    }

    @Test(arguments: Backend.available)
    func releasesAreNumberedAndKeepTheirContent(backend: Backend) async throws {
        let world = try await world(backend)
        #expect(try await world.storage.latestReleaseVersion(of: world.project.id) == 0)
        let first = try await publish(world)
        #expect(first.version == 1)
        #expect(first.languages.map(\.value) == ["de", "en"])
        try await world.storage.saveTranslations([
            Translation(keyID: world.keys[0].id, language: try LanguageCode("de"), value: "Servus", updatedBy: nil, updatedAt: SystemWallClock().now()),
            Translation(keyID: world.keys[0].id, language: try LanguageCode("en"), value: "Hi", updatedBy: nil, updatedAt: SystemWallClock().now()),
        ])
        let second = try await publish(world, ["de"])
        #expect(second.version == 2)
        #expect(second.publishedLanguages.map(\.value) == ["de"])
        #expect(try await world.storage.latestReleaseVersion(of: world.project.id) == 2)
        let v1 = try await world.storage.releaseLanguages(first.id)
        let v2 = try await world.storage.releaseLanguages(second.id)
        #expect(v1.first { $0.language.value == "de" }?.content == #"{"default":{"hello":"Hallo"}}"#, "a stored release never changes")
        #expect(v2.first { $0.language.value == "de" }?.content == #"{"default":{"hello":"Servus"}}"#)
        #expect(v2.first { $0.language.value == "en" } == v1.first { $0.language.value == "en" },
                "a language not published now is carried over as the previous release had it")
        #expect(try await world.storage.releases(of: world.project.id).map(\.version) == [2, 1])
        #expect(try await world.storage.release(of: world.project.id, version: 1)?.id == first.id)
        #expect(try await world.storage.release(of: world.project.id, version: 3) == nil)
    }

    @Test(arguments: Backend.available)
    func aFailedRenderStoresNothing(backend: Backend) async throws {
        let world = try await world(backend)
        struct Refused: Error {}
        await #expect(throws: (any Error).self) {
            _ = try await world.storage.publishRelease(id: .generate(), project: world.project.id, languages: [],
                                                       at: SystemWallClock().now(), publishedBy: "operator") { _ in throw Refused() }
        }
        #expect(try await world.storage.releases(of: world.project.id).isEmpty)
        #expect(try await publish(world).version == 1, "the failed publish used no version number")
        await #expect(throws: StorageError.notFound("")) {
            _ = try await world.storage.publishRelease(id: .generate(), project: .generate(), languages: [],
                                                       at: SystemWallClock().now(), publishedBy: "operator") { _ in
                RenderedRelease(languages: [], namespaces: [], warnings: [])
            }
        }
    }

    @Test(arguments: Backend.available)
    func concurrentPublishesGetDistinctVersions(backend: Backend) async throws {
        let world = try await world(backend)
        let versions = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await publish(world).version } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(versions.sorted() == Array(1...8))
        for release in try await world.storage.releases(of: world.project.id) {
            #expect(try await world.storage.releaseLanguages(release.id).count == 2, "every release is whole")
        }
    }

    @Test(arguments: Backend.available)
    func releaseTimesAreStrictlyIncreasingEvenWithinOneMillisecond(backend: Backend) async throws {
        let world = try await world(backend)
        let now = Date(millisecondsSince1970: 1_900_000_000_123)
        let first = try await publish(world, at: now)
        let second = try await publish(world, at: now)
        let third = try await publish(world, at: now.addingTimeInterval(-60))
        #expect(first.publishedAt == now)
        #expect(second.publishedAt.millisecondsSince1970 == now.millisecondsSince1970 + 1)
        #expect(third.publishedAt.millisecondsSince1970 == now.millisecondsSince1970 + 2, "a clock that went back still moves forward")
        #expect(try await world.storage.release(of: world.project.id, version: 2)?.publishedAt == second.publishedAt)
    }

    @Test(arguments: Backend.available)
    func unchangedLanguagesKeepTheirBodyAndLastModified(backend: Backend) async throws {
        let world = try await world(backend)
        let start = Date(millisecondsSince1970: 1_900_000_000_000)
        let first = try await publish(world, at: start)
        let v1 = try await world.storage.releaseLanguages(first.id)
        // Only German changes; English is not read again and keeps its lastModified.
        try await world.storage.saveTranslations([
            Translation(keyID: world.keys[1].id, language: try LanguageCode("de"), value: "Tschüss", updatedBy: nil, updatedAt: start.addingTimeInterval(5)),
        ])
        let second = try await publish(world, at: start.addingTimeInterval(10))
        let v2 = try await world.storage.releaseLanguages(second.id)
        let en1 = try #require(v1.first { $0.language.value == "en" }), en2 = try #require(v2.first { $0.language.value == "en" })
        let de1 = try #require(v1.first { $0.language.value == "de" }), de2 = try #require(v2.first { $0.language.value == "de" })
        #expect(en2.content == en1.content && en2.lastModified == first.publishedAt)
        #expect(en2.namespaceModified == ["default": first.publishedAt])
        #expect(de2.content == #"{"default":{"bye":"Tschüss","hello":"Hallo"}}"#)
        #expect(de2.lastModified == second.publishedAt && de2.lastModified != de1.lastModified)
        #expect(de2.sourceDigest != de1.sourceDigest && en2.sourceDigest == en1.sourceDigest)
        #expect(second.projectLanguages.map(\.value) == ["de", "en"])
        #expect(second.namespaces == ["default"])

        // Deleting a key changes every language that had a value for it, and only those.
        try await world.storage.deleteKeys([world.keys[1].id], in: world.project.id, at: start.addingTimeInterval(20))
        let third = try await publish(world, at: start.addingTimeInterval(30))
        let v3 = try await world.storage.releaseLanguages(third.id)
        #expect(v3.first { $0.language.value == "de" }?.lastModified == third.publishedAt)
        #expect(v3.first { $0.language.value == "en" }?.lastModified == first.publishedAt, "English had no value for the deleted key")
    }
}

/// The publish renderer writes each language in one pass over keys laid out once; it must give
/// exactly the canonical body of the same values.
@Suite struct ReleaseRenderingTests {
    private func input(_ keys: [TranslationKey], _ translations: [Translation], _ languages: [LanguageCode], at now: Date) -> PublishInput {
        PublishInput(
            keys: keys, translations: translations, previous: [], publishedAt: now,
            requested: languages, toRender: Set(languages), digests: [:]
        )
    }

    @Test func directRenderingEqualsTheCanonicalBodyOfTheSameValues() throws {
        let now = Date(millisecondsSince1970: 1_800_000_000_000)
        let project = ProjectID.generate()
        let names: [(String, String)] = [("default", "b"), ("default", "a"), ("default", "Z"), ("checkout", "ä"), ("checkout", "z"),
                                         ("Empty", "only-en"), ("default", "é"), ("default", "login.title"), ("default", "Loading..."),
                                         ("default", "login.button.label")]
        let keys = try names.map { namespace, name in
            TranslationKey(id: .generate(), projectID: project, namespace: try NamespaceName(namespace), name: try KeyName(name),
                           description: nil, createdAt: now, updatedAt: now)
        }
        let de = try LanguageCode("de"), en = try LanguageCode("en")
        var translations: [Translation] = []
        var expected: [LanguageCode: [String: [String: String]]] = [de: ["default": [:], "checkout": [:], "Empty": [:]],
                                                                    en: ["default": [:], "checkout": [:], "Empty": [:]]]
        for (index, key) in keys.enumerated() {
            for language in index == 5 ? [en] : [de, en] {
                let value = "\(language.value) \"\(key.name.value)\" \\ \(index)"
                translations.append(Translation(keyID: key.id, language: language, value: value, updatedBy: nil,
                                                updatedAt: now.addingTimeInterval(Double(index))))
                expected[language]?[key.namespace.value]?[key.name.value] = value
            }
        }
        let rendered = ReleaseService.render(input(keys, translations, [de, en], at: now))
        #expect(rendered.namespaces == ["Empty", "checkout", "default"])
        #expect(rendered.warnings.isEmpty)
        for language in rendered.languages {
            #expect(language.content == ReleaseContent.render(try #require(expected[language.language])).content)
            #expect(language.keyCount == (language.language == de ? 9 : 10))
            #expect(language.lastModified == now)
            #expect(language.namespaceModified == ["Empty": now, "checkout": now, "default": now])
        }
        let german = try #require(rendered.languages.first { $0.language == de })
        #expect(german.content.contains(#""login":{"button":{"label":"de \"login.button.label\" \\ 9"},"title":"#))
        #expect(german.content.contains(#""Loading...":"de"#), "a sentence key stays flat")
    }

    @Test func aKeyThatAnotherNestsBelowIsLeftOutWithAWarning() throws {
        let now = Date(millisecondsSince1970: 1_800_000_000_000)
        let project = ProjectID.generate()
        let keys = try ["login", "login.title", "logout"].map {
            TranslationKey(id: .generate(), projectID: project, namespace: try NamespaceName("auth"), name: try KeyName($0),
                           description: nil, createdAt: now, updatedAt: now)
        }
        let de = try LanguageCode("de"), en = try LanguageCode("en")
        let translations = [
            Translation(keyID: keys[0].id, language: de, value: "Anmelden", updatedBy: nil, updatedAt: now),
            Translation(keyID: keys[1].id, language: de, value: "Titel", updatedBy: nil, updatedAt: now),
            Translation(keyID: keys[0].id, language: en, value: "Sign in", updatedBy: nil, updatedAt: now),
            Translation(keyID: keys[2].id, language: en, value: "Sign out", updatedBy: nil, updatedAt: now),
        ]
        let rendered = ReleaseService.render(input(keys, translations, [de, en], at: now))
        let bodies = Dictionary(uniqueKeysWithValues: rendered.languages.map { ($0.language, $0.content) })
        #expect(bodies[de] == #"{"auth":{"login":{"title":"Titel"}}}"#, "the longer key wins")
        #expect(bodies[en] == #"{"auth":{"login":"Sign in","logout":"Sign out"}}"#, "no conflict where the longer key has no value")
        #expect(rendered.warnings == [PublishWarning(namespace: "auth", key: "login", conflictsWith: "login.title", languages: [de])])
        #expect(rendered.languages.first { $0.language == de }?.keyCount == 1)
    }
}
