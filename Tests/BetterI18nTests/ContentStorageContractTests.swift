import struct BetterI18nAPI.EnumOption
import BetterI18nCore
@testable import BetterI18nStorage
import SQLKit
import Foundation
import Testing

/// The content part of the storage contract (SPEC §10), on SQLite and (with a URL) PostgreSQL:
/// models with their fields, entries with per-language working copies and published
/// snapshots, uniqueness of slugs, cascading deletes, and public keys stored by digest.
@Suite struct ContentStorageContractTests {
    private struct World {
        let storage: SQLStorage
        let organization: Organization
        let project: Project
    }

    private func world(_ backend: Backend) async throws -> World {
        let storage = try await backend.open()
        let now = SystemWallClock().now()
        let user = User(id: .generate(), email: try EmailAddress(Unique.email()), name: "T", createdAt: now)
        try await storage.createUser(user, passwordHash: "$2b$04$hash")
        let organization = Organization(id: .generate(), slug: try Slug(Unique.slug()), name: "Org", createdAt: now)
        try await storage.createOrganization(organization, owner: user.id)
        let project = Project(id: .generate(), organizationID: organization.id, slug: try Slug("site"), name: "Site",
                              sourceLanguage: try LanguageCode("en"), createdAt: now, updatedAt: now)
        try await storage.createProject(project, languages: [
            ProjectLanguage(projectID: project.id, code: try LanguageCode("en"), status: .active, isSource: true, createdAt: now),
        ])
        return World(storage: storage, organization: organization, project: project)
    }

    private let at = Date(millisecondsSince1970: 1_780_000_000_123)

    private func model(_ world: World, slug: String = "blog") -> ContentModelRecord {
        ContentModelRecord(
            id: .generate(), projectID: world.project.id, slug: slug, displayName: "Blog", description: "Posts", kind: .collection,
            includeBody: true, fields: [
                ContentFieldDefinition(name: "price", displayName: "Price", type: .number, localized: false, required: true,
                                       helpText: "in EUR", enumValues: nil, targetModel: nil, multiple: false),
                ContentFieldDefinition(name: "tone", displayName: "Tone", type: .enumeration, localized: true, required: false,
                                       helpText: nil, enumValues: [EnumOption(label: "Calm", value: "calm")], targetModel: nil, multiple: false),
            ], createdAt: at, updatedAt: at
        )
    }

    private func entry(_ model: ContentModelRecord, slug: String = "hello", published: Bool = false) throws -> ContentEntryRecord {
        let snapshot = published ? ContentSnapshot(title: "Hello", body: "# Hi", fields: ["tone": .string("calm")],
                                                   shared: ["price": .double(9.5)], publishedAt: at) : nil
        return ContentEntryRecord(
            id: .generate(), projectID: model.projectID, modelID: model.id, slug: slug, status: published ? .published : .draft,
            sourceLanguage: try LanguageCode("en"), fields: ["price": .double(9.5), "n": .int(3)],
            languages: [ContentEntryLanguage(language: try LanguageCode("en"), title: "Hello", body: "# Hi",
                                             fields: ["tone": .string("calm")], updatedAt: at, published: snapshot)],
            createdAt: at, updatedAt: at
        )
    }

    @Test(arguments: Backend.available)
    func modelsRoundTripWithTheirFieldsAndSlugsAreUniquePerProject(backend: Backend) async throws {
        let world = try await world(backend)
        let blog = model(world)
        try await world.storage.writingContent { try await $0.saveModel(blog, isNew: true) }
        let read = try await world.storage.readingContent { try await $0.model(in: world.project.id, slug: "blog") }
        #expect(read == blog)
        #expect(try await world.storage.readingContent { try await $0.model(blog.id) } == blog)
        await #expect(throws: StorageError.self) {
            try await world.storage.writingContent { try await $0.saveModel(model(world), isNew: true) }
        }
        var changed = blog
        changed.displayName = "Articles"
        changed.fields.removeLast()
        let saved = changed
        try await world.storage.writingContent { try await $0.saveModel(saved, isNew: false) }
        #expect(try await world.storage.readingContent { try await $0.models(in: world.project.id) } == [changed])
    }

    @Test(arguments: Backend.available)
    func entriesKeepWorkingCopiesAndSnapshotsPerLanguage(backend: Backend) async throws {
        let world = try await world(backend)
        let blog = model(world)
        let draft = try entry(blog, slug: "draft")
        let published = try entry(blog, slug: "live", published: true)
        try await world.storage.writingContent { tx in
            try await tx.saveModel(blog, isNew: true)
            try await tx.saveEntry(draft, isNew: true)
            try await tx.saveEntry(published, isNew: true)
        }
        #expect(try await world.storage.readingContent { try await $0.entry(published.id) } == published)
        #expect(try await world.storage.readingContent { try await $0.entry(of: blog.id, slug: "draft") } == draft)
        #expect(try await world.storage.readingContent { try await $0.entries(of: blog.id) }.map(\.slug).sorted() == ["draft", "live"])
        #expect(try await world.storage.readingContent { try await $0.entryCounts(in: world.project.id) }[blog.id]
                == ContentEntryCount(all: 2, published: 1))
        // A slug is unique in its model; nothing of the refused write stays.
        await #expect(throws: StorageError.self) {
            try await world.storage.writingContent { try await $0.saveEntry(try entry(blog, slug: "live"), isNew: true) }
        }
        var edited = published
        edited.languages[0].title = "Hello again"
        edited.languages.append(ContentEntryLanguage(language: try LanguageCode("de"), title: "Hallo", body: nil, fields: [:],
                                                     updatedAt: at, published: nil))
        edited.languages.sort { $0.language < $1.language }
        let saved = edited
        try await world.storage.writingContent { try await $0.saveEntry(saved, isNew: false) }
        let read = try #require(try await world.storage.readingContent { try await $0.entry(published.id) })
        #expect(read == edited)
        #expect(read.languages[1].published?.title == "Hello", "the snapshot stays as published")
        try await world.storage.writingContent { try await $0.deleteEntry(draft.id) }
        #expect(try await world.storage.readingContent { try await $0.entry(draft.id) } == nil)
        try await world.storage.writingContent { try await $0.deleteModel(blog.id) }
        #expect(try await world.storage.readingContent { try await $0.entry(published.id) } == nil)
        #expect(try await world.storage.readingContent { try await $0.models(in: world.project.id) }.isEmpty)
    }

    @Test(arguments: Backend.available)
    func aFailedContentTransactionWritesNothing(backend: Backend) async throws {
        let world = try await world(backend)
        let blog = model(world)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await world.storage.writingContent { tx in
                try await tx.saveModel(blog, isNew: true)
                try await tx.saveEntry(try entry(blog), isNew: true)
                throw Refused()
            }
        }
        #expect(try await world.storage.readingContent { try await $0.models(in: world.project.id) }.isEmpty)
    }

    @Test(arguments: Backend.available)
    func publicKeysAreStoredByDigestAndRevokedOnce(backend: Backend) async throws {
        let world = try await world(backend)
        let secret = Secret(kind: .publicContentKey)
        let key = PublicKeyRecord(id: .generate(), organizationID: world.organization.id, projectID: world.project.id, name: "Website",
                                  digest: secret.digest, createdAt: at, lastUsedAt: nil, revokedAt: nil)
        try await world.storage.createPublicKey(key)
        #expect(try await world.storage.publicKey(digest: secret.digest) == key)
        #expect(try await world.storage.publicKey(digest: Secret(kind: .publicContentKey).digest) == nil)
        #expect(try await world.storage.publicKeys(in: world.organization.id) == [key])
        try await world.storage.markPublicKeyUsed(key.id, at: at.addingTimeInterval(5))
        #expect(try await world.storage.publicKey(id: key.id)?.lastUsedAt == at.addingTimeInterval(5))
        #expect(try await world.storage.revokePublicKey(key.id, at: at.addingTimeInterval(10)))
        #expect(try await world.storage.revokePublicKey(key.id, at: at.addingTimeInterval(20)) == false)
        #expect(try await world.storage.publicKey(id: key.id)?.revokedAt == at.addingTimeInterval(10))
        // The key itself is nowhere in the database: only its digest.
        let rows = try await world.storage.publicKeys(in: nil).filter { $0.id == key.id }
        #expect(rows.first?.digest.hex == SecretDigest(of: secret.value).hex)
        let stored = try await world.storage.driver.reading { database in
            try await database.raw("SELECT id, name, digest FROM public_keys WHERE id = \(bind: key.id.rawValue)").all().map { row in
                try ["id", "name", "digest"].map { try row.decode(column: $0, as: String.self) }
            }
        }
        #expect(stored.count == 1)
        #expect(!stored.flatMap { $0 }.contains { $0.contains(secret.value) || $0.contains(secret.value.dropFirst(7)) },
                "the key itself is nowhere at rest")
    }
}
