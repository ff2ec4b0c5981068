import BetterI18nCore
@testable import BetterI18nProjects
@testable import BetterI18nStorage
import Foundation
import SQLKit
import Testing

/// Listings, statuses and pending changes answered by the database a page at a time, on SQLite
/// and (in CI) PostgreSQL: keyset pages that add up to the whole list in order, filters applied
/// in SQL, statuses and pending changes from the values' publish marks, and query plans that use
/// the indexes meant for them.
@Suite struct ListingStorageContractTests {
    private struct World {
        let storage: SQLStorage
        let project: Project
        let keys: [TranslationKey]
    }

    private static let names = ["a", "b.c", "B", "100%", "under_score", "Loading...", "zeta.x", "login.title", "Umlaut Ä"]

    private func world(_ backend: Backend) async throws -> World {
        let storage = try await backend.open()
        let now = Date(millisecondsSince1970: 1_900_000_000_000)
        let user = User(id: .generate(), email: try EmailAddress(Unique.email()), name: "T", createdAt: now)
        try await storage.createUser(user, passwordHash: "$2b$04$hash")
        let organization = Organization(id: .generate(), slug: try Slug(Unique.slug()), name: "Org", createdAt: now)
        try await storage.createOrganization(organization, owner: user.id)
        let project = Project(id: .generate(), organizationID: organization.id, slug: try Slug("web"), name: "Web",
                              sourceLanguage: try LanguageCode("en"), createdAt: now, updatedAt: now)
        try await storage.createProject(project, languages: try ["en", "de", "fr"].map {
            ProjectLanguage(projectID: project.id, code: try LanguageCode($0), status: .active, isSource: $0 == "en", createdAt: now)
        })
        var keys: [TranslationKey] = []
        var values: [Translation] = []
        for namespace in ["default", "auth", "checkout"] {
            for (index, name) in Self.names.enumerated() {
                let key = TranslationKey(id: .generate(), projectID: project.id, namespace: try NamespaceName(namespace),
                                         name: try KeyName(name), description: nil, createdAt: now, updatedAt: now)
                keys.append(key)
                values.append(Translation(keyID: key.id, language: try LanguageCode("en"), value: "\(namespace) \(name)", updatedBy: nil, updatedAt: now))
                if index.isMultiple(of: 2) {
                    values.append(Translation(keyID: key.id, language: try LanguageCode("de"), value: "de \(name)", updatedBy: nil, updatedAt: now))
                }
            }
        }
        try await storage.createKeys(keys, translations: values)
        return World(storage: storage, project: project, keys: keys)
    }

    /// Every page of `query` with page size `limit`, following positions.
    private func allKeyPages(_ world: World, _ query: KeyPageQuery) async throws -> [[TranslationKey]] {
        var pages: [[TranslationKey]] = []
        var query = query
        while true {
            let page = try await world.storage.keyPage(in: world.project.id, query)
            if !page.isEmpty { pages.append(page) }
            guard page.count == query.limit, let last = page.last else { return pages }
            query.after = KeyPosition(namespace: last.namespace.value, name: last.name.value)
        }
    }

    @Test(arguments: Backend.available)
    func keyPagesAddUpToTheFilteredListInOrder(backend: Backend) async throws {
        let world = try await world(backend)
        let pages = try await allKeyPages(world, KeyPageQuery(limit: 4))
        #expect(pages.dropLast().allSatisfy { $0.count == 4 })
        let walked = pages.flatMap { $0 }
        #expect(walked.count == world.keys.count)
        #expect(Set(walked.map(\.id)) == Set(world.keys.map(\.id)))
        let order = walked.map { [$0.namespace.value, $0.name.value] }
        #expect(order == order.sorted { $0[0] == $1[0] ? $0[1] < $1[1] : $0[0] < $1[0] } || backend == .postgres,
                "byte order on SQLite (PostgreSQL orders by its collation, consistently with its own cursor)")

        let checkout = try await allKeyPages(world, KeyPageQuery(namespace: "checkout", limit: 3)).flatMap { $0 }
        #expect(checkout.count == Self.names.count && checkout.allSatisfy { $0.namespace.value == "checkout" })
        // Search is a case-insensitive substring; % and _ are matched literally.
        let percent = try await world.storage.keyPage(in: world.project.id, KeyPageQuery(search: "0%", limit: 100))
        #expect(Set(percent.map(\.name.value)) == ["100%"])
        let underscore = try await world.storage.keyPage(in: world.project.id, KeyPageQuery(search: "r_s", limit: 100))
        #expect(Set(underscore.map(\.name.value)) == ["under_score"])
        let caseless = try await world.storage.keyPage(in: world.project.id, KeyPageQuery(namespace: "auth", search: "LOGIN", limit: 100))
        #expect(caseless.map(\.name.value) == ["login.title"])
        // Missing in German: the odd-indexed names in every namespace.
        let missing = try await allKeyPages(world, KeyPageQuery(missingLanguage: try LanguageCode("de"), limit: 5)).flatMap { $0 }
        #expect(missing.count == 3 * (Self.names.count / 2))
        #expect(try await world.storage.keyPage(in: world.project.id, KeyPageQuery(namespace: "nothing", limit: 10)).isEmpty)
    }

    @Test(arguments: Backend.available)
    func translationPagesFilterInTheDatabase(backend: Backend) async throws {
        let world = try await world(backend)
        var query = TranslationPageQuery(limit: 7)
        var walked: [(key: TranslationKey, value: Translation)] = []
        while true {
            let page = try await world.storage.translationPage(in: world.project.id, query)
            walked += page
            guard page.count == query.limit, let last = page.last else { break }
            query.after = TranslationPosition(namespace: last.key.namespace.value, name: last.key.name.value, language: last.value.language.value)
        }
        let enCount = world.keys.count, deCount = 3 * ((Self.names.count + 1) / 2)
        #expect(walked.count == enCount + deCount)
        #expect(Set(walked.map { "\($0.key.id.rawValue)/\($0.value.language.value)" }).count == walked.count, "no value twice")
        let order = walked.map { [$0.key.namespace.value, $0.key.name.value, $0.value.language.value] }
        #expect(order == order.sorted { $0.lexicographicallyPrecedes($1) }, "in key and language order")
        // Pages of one language walk the same way (on PostgreSQL a deep page takes another plan).
        var germanQuery = TranslationPageQuery(languages: [try LanguageCode("de")], limit: 2)
        var germanWalk: [String] = []
        while true {
            let page = try await world.storage.translationPage(in: world.project.id, germanQuery)
            germanWalk += page.map { "\($0.key.namespace.value)/\($0.key.name.value)/\($0.value.language.value)" }
            guard page.count == germanQuery.limit, let last = page.last else { break }
            germanQuery.after = TranslationPosition(namespace: last.key.namespace.value, name: last.key.name.value, language: last.value.language.value)
        }
        #expect(germanWalk.count == deCount && Set(germanWalk).count == deCount && germanWalk.allSatisfy { $0.hasSuffix("/de") })
        let german = try await world.storage.translationPage(in: world.project.id, TranslationPageQuery(languages: [try LanguageCode("de")], limit: 1000))
        #expect(german.count == deCount && german.allSatisfy { $0.value.language.value == "de" })
        let named = try await world.storage.translationPage(in: world.project.id, TranslationPageQuery(
            namespace: "auth", keys: ["login.title", world.keys[0].id.rawValue], limit: 1000))
        #expect(named.map(\.key.name.value) == ["login.title"], "the id is of another namespace's key")
        #expect(try await world.storage.translationPage(in: world.project.id, TranslationPageQuery(languages: [], limit: 10)).isEmpty)
    }

    @Test(arguments: Backend.available)
    func statusesAndPendingChangesComeFromPublishMarks(backend: Backend) async throws {
        let world = try await world(backend)
        let en = try LanguageCode("en"), de = try LanguageCode("de")
        func pending() async throws -> [PendingValue] { try await world.storage.pendingValues(in: world.project.id) }
        func count(_ status: ValueStatus, _ language: LanguageCode) async throws -> Int {
            try await world.storage.translationPage(in: world.project.id, TranslationPageQuery(languages: [language], status: status, limit: 1000)).count
        }
        #expect(try await pending().allSatisfy { $0.change == .added })
        #expect(try await count(.published, en) == 0)

        // Publish English only: English values are published, German ones still drafts.
        _ = try await world.storage.publishRelease(
            id: .generate(), project: world.project.id, languages: [en], at: Date(millisecondsSince1970: 1_900_000_001_000),
            publishedBy: "operator"
        ) { ReleaseService.render($0) }
        #expect(try await count(.published, en) == world.keys.count)
        #expect(try await count(.draft, en) == 0)
        #expect(try await count(.draft, de) > 0)
        #expect(try await count(.published, de) == 0)
        #expect(try await pending().allSatisfy { $0.language == de && $0.change == .added })

        // A changed value, a deleted key and a renamed key.
        let changed = world.keys[0], deleted = world.keys[1], renamed = world.keys[2]
        try await world.storage.saveTranslations([
            Translation(keyID: changed.id, language: en, value: "changed", updatedBy: nil, updatedAt: Date(millisecondsSince1970: 1_900_000_000_000)),
        ])
        try await world.storage.deleteKeys([deleted.id], in: world.project.id, at: Date(millisecondsSince1970: 1_900_000_002_000))
        var moved = renamed
        moved.name = try KeyName("renamed")
        try await world.storage.updateKey(moved)
        let english = try await pending().filter { $0.language == en }
        #expect(english.contains(PendingValue(namespace: changed.namespace.value, name: changed.name.value, language: en, change: .changed)),
                "a write in the same millisecond as the published one still counts")
        #expect(english.contains(PendingValue(namespace: deleted.namespace.value, name: deleted.name.value, language: en, change: .deleted)))
        #expect(english.contains(PendingValue(namespace: renamed.namespace.value, name: "renamed", language: en, change: .added)))
        #expect(english.count == 3)

        _ = try await world.storage.publishRelease(
            id: .generate(), project: world.project.id, languages: [en, de], at: Date(millisecondsSince1970: 1_900_000_003_000),
            publishedBy: "operator"
        ) { ReleaseService.render($0) }
        #expect(try await pending().isEmpty, "a publish of every language leaves nothing pending")
    }

    /// The page and pending queries are answered through the indexes made for them (SQLite's
    /// plan; the same shapes as the storage's queries).
    @Test func queryPlansUseTheListingIndexes() async throws {
        let world = try await world(.sqlite)
        func plan(_ sql: SQLQueryString) async throws -> String {
            try await world.storage.driver.reading { database in
                try await database.raw("EXPLAIN QUERY PLAN " + sql).all()
                    .map { (try? $0.decode(column: "detail", as: String.self)) ?? "" }.joined(separator: " | ")
            }
        }
        let keys = try await plan("""
            SELECT * FROM translation_keys WHERE project_id = \(bind: world.project.id.rawValue) AND deleted_at IS NULL
            AND (namespace, name) > (\(bind: "auth"), \(bind: "b")) ORDER BY namespace, name LIMIT 11
            """)
        #expect(keys.contains("translation_keys_live_name") && !keys.contains("TEMP B-TREE"), "\(keys)")
        let pending = try await plan("""
            SELECT k.name FROM translations t JOIN translation_keys k ON k.id = t.key_id
            WHERE (t.published_updated_at IS NULL OR t.published_updated_at <> t.updated_at)
              AND k.project_id = \(bind: world.project.id.rawValue) AND k.deleted_at IS NULL
            """)
        #expect(pending.contains("translations_unpublished"), "\(pending)")
    }
}
