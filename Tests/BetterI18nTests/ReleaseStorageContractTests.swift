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

    private func publish(_ world: World, _ languages: [String]? = nil) async throws -> Release {
        let chosen = try (languages ?? ["en", "de"]).map { try LanguageCode($0) }
        return try await world.storage.publishRelease(
            id: .generate(), project: world.project.id, at: SystemWallClock().now(), publishedBy: "operator"
        ) { input in
            var carried = Dictionary(uniqueKeysWithValues: input.previous.map { ($0.language, $0) })
            for language in chosen {
                let values = input.translations.filter { $0.language == language }
                let names = Dictionary(uniqueKeysWithValues: input.keys.map { ($0.id, $0.name.value) })
                var tree: [String: String] = [:]
                for value in values { tree[names[value.keyID] ?? "?"] = value.value }
                carried[language] = ReleaseLanguage(language: language, content: ReleaseContent.render(["default": tree]),
                                                     keyCount: values.count, lastUpdated: SystemWallClock().now())
            }
            return (Array(carried.values), chosen)
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
            _ = try await world.storage.publishRelease(id: .generate(), project: world.project.id, at: SystemWallClock().now(),
                                                       publishedBy: "operator") { _ in throw Refused() }
        }
        #expect(try await world.storage.releases(of: world.project.id).isEmpty)
        #expect(try await publish(world).version == 1, "the failed publish used no version number")
        await #expect(throws: StorageError.notFound("")) {
            _ = try await world.storage.publishRelease(id: .generate(), project: .generate(), at: SystemWallClock().now(),
                                                       publishedBy: "operator") { _ in ([], []) }
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
}

/// The publish renderer writes each language in one pass over keys sorted once; it must give
/// exactly the canonical body of the same values.
@Suite struct ReleaseRenderingTests {
    @Test func directRenderingEqualsTheCanonicalBodyOfTheSameValues() throws {
        let now = Date(millisecondsSince1970: 1_800_000_000_000)
        let project = ProjectID.generate()
        let names: [(String, String)] = [("default", "b"), ("default", "a"), ("default", "Z"), ("checkout", "ä"), ("checkout", "z"),
                                         ("Empty", "only-en"), ("default", "é")]
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
        let (rendered, published) = ReleaseService.render(PublishInput(keys: keys, translations: translations, previous: []),
                                                          languages: [de, en], at: now)
        #expect(published == [de, en])
        for language in rendered {
            #expect(language.content == ReleaseContent.render(try #require(expected[language.language])))
            #expect(language.keyCount == (language.language == de ? 6 : 7))
            #expect(language.lastUpdated == now.addingTimeInterval(6))
        }
    }
}
