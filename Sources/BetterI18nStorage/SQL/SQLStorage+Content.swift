import BetterI18nAPI
import BetterI18nCore
import Foundation
import SQLKit
import Synchronization

// MARK: - Content CMS (SPEC §10)

extension SQLStorage {
    public func readingContent<T: Sendable>(_ body: @escaping @Sendable (any ContentTransaction) async throws -> T) async throws -> T {
        let driver = self.driver, caller = CallerError()
        return try await caller.unwrapping {
            try await driver.reading { database in
                try await caller.wrapping { try await body(SQLContentTransaction(database: database, driver: driver)) }
            }
        }
    }

    public func writingContent<T: Sendable>(_ body: @escaping @Sendable (any ContentTransaction) async throws -> T) async throws -> T {
        let driver = self.driver, caller = CallerError()
        return try await caller.unwrapping {
            try await driver.writing { database in
                try await caller.wrapping { try await body(SQLContentTransaction(database: database, driver: driver)) }
            }
        }
    }

    public func createPublicKey(_ key: PublicKeyRecord) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO public_keys (id, organization_id, project_id, name, digest, created_at, last_used_at, revoked_at)
                VALUES (\(bind: key.id.rawValue), \(bind: key.organizationID.rawValue), \(bind: key.projectID.rawValue),
                        \(bind: key.name), \(bind: key.digest.hex), \(bind: key.createdAt.millisecondsSince1970),
                        \(bind: key.lastUsedAt?.millisecondsSince1970), \(bind: key.revokedAt?.millisecondsSince1970))
                """).run()
        }
    }

    public func publicKey(digest: SecretDigest) async throws -> PublicKeyRecord? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM public_keys WHERE digest = \(bind: digest.hex)").first().map(ContentRows.publicKey)
        }
    }

    public func publicKey(id: PublicKeyID) async throws -> PublicKeyRecord? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM public_keys WHERE id = \(bind: id.rawValue)").first().map(ContentRows.publicKey)
        }
    }

    public func publicKeys(in organization: OrganizationID?) async throws -> [PublicKeyRecord] {
        try await driver.reading { database in
            if let organization {
                return try await database.raw("""
                    SELECT * FROM public_keys WHERE organization_id = \(bind: organization.rawValue) ORDER BY created_at DESC, id
                    """).all().map(ContentRows.publicKey)
            }
            return try await database.raw("SELECT * FROM public_keys ORDER BY created_at DESC, id").all().map(ContentRows.publicKey)
        }
    }

    public func revokePublicKey(_ id: PublicKeyID, at time: Date) async throws -> Bool {
        try await driver.writing { database in
            try await database.raw("""
                UPDATE public_keys SET revoked_at = \(bind: time.millisecondsSince1970)
                WHERE id = \(bind: id.rawValue) AND revoked_at IS NULL RETURNING id
                """).first() != nil
        }
    }

    public func markPublicKeyUsed(_ id: PublicKeyID, at time: Date) async throws {
        try await driver.writing { database in
            try await database.raw("""
                UPDATE public_keys SET last_used_at = \(bind: time.millisecondsSince1970) WHERE id = \(bind: id.rawValue)
                """).run()
        }
    }
}

/// A caller's own refusal thrown inside a content transaction. The drivers report whatever
/// leaves a transaction as the database's error, so the refusal is kept aside here and thrown
/// again as it was once the transaction has rolled back.
final class CallerError: Sendable {
    private let kept = Mutex<(any Error)?>(nil)

    /// Storage errors (the transaction's statements, already classified) pass as they are;
    /// anything else is the caller's, remembered.
    func wrapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StorageError {
            throw error
        } catch {
            kept.withLock { $0 = error }
            throw error
        }
    }

    func unwrapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            if let own = kept.withLock({ $0 }) { throw own }
            throw error
        }
    }
}

/// ``ContentTransaction`` over one SQL connection (inside the driver's transaction for writes).
/// Each statement's error is classified at once, so the caller's refusals stay distinct.
struct SQLContentTransaction: ContentTransaction {
    let base: any SQLDatabase
    let driver: any SQLDriver

    init(database: any SQLDatabase, driver: any SQLDriver) {
        base = database
        self.driver = driver
    }

    private var database: ClassifyingDatabase { ClassifyingDatabase(base: base, driver: driver) }

    func record(_ events: [OutboxEvent]) async throws {
        try await SQLStorage.insertEvents(events, on: base)
    }

    func models(in project: ProjectID) async throws -> [ContentModelRecord] {
        try await database.raw("""
            SELECT * FROM content_models WHERE project_id = \(bind: project.rawValue) ORDER BY slug
            """).all().map(ContentRows.model)
    }

    func model(_ id: ContentModelID) async throws -> ContentModelRecord? {
        try await database.raw("SELECT * FROM content_models WHERE id = \(bind: id.rawValue)").first().map(ContentRows.model)
    }

    func model(in project: ProjectID, slug: String) async throws -> ContentModelRecord? {
        try await database.raw("""
            SELECT * FROM content_models WHERE project_id = \(bind: project.rawValue) AND slug = \(bind: slug)
            """).first().map(ContentRows.model)
    }

    func saveModel(_ model: ContentModelRecord, isNew: Bool) async throws {
        let fields = Rows.json(model.fields.map(StoredField.init))
        if isNew {
            try await database.raw("""
                INSERT INTO content_models (id, project_id, slug, display_name, description, kind, include_body, fields, created_at, updated_at)
                VALUES (\(bind: model.id.rawValue), \(bind: model.projectID.rawValue), \(bind: model.slug), \(bind: model.displayName),
                        \(bind: model.description), \(bind: model.kind.rawValue), \(bind: model.includeBody ? 1 : 0), \(bind: fields),
                        \(bind: model.createdAt.millisecondsSince1970), \(bind: model.updatedAt.millisecondsSince1970))
                """).run()
        } else {
            try await database.raw("""
                UPDATE content_models SET slug = \(bind: model.slug), display_name = \(bind: model.displayName),
                    description = \(bind: model.description), kind = \(bind: model.kind.rawValue),
                    include_body = \(bind: model.includeBody ? 1 : 0), fields = \(bind: fields),
                    updated_at = \(bind: model.updatedAt.millisecondsSince1970)
                WHERE id = \(bind: model.id.rawValue)
                """).run()
        }
    }

    func deleteModel(_ id: ContentModelID) async throws {
        try await database.raw("""
            DELETE FROM content_entry_languages WHERE entry_id IN (SELECT id FROM content_entries WHERE model_id = \(bind: id.rawValue))
            """).run()
        try await database.raw("DELETE FROM content_entries WHERE model_id = \(bind: id.rawValue)").run()
        try await database.raw("DELETE FROM content_models WHERE id = \(bind: id.rawValue)").run()
    }

    func entryCounts(in project: ProjectID) async throws -> [ContentModelID: ContentEntryCount] {
        let rows = try await database.raw("""
            SELECT e.model_id AS model_id, COUNT(*) AS n,
                   SUM(CASE WHEN e.status <> 'archived' AND EXISTS (
                       SELECT 1 FROM content_entry_languages l WHERE l.entry_id = e.id AND l.published IS NOT NULL
                   ) THEN 1 ELSE 0 END) AS published
            FROM content_entries e WHERE e.project_id = \(bind: project.rawValue) GROUP BY e.model_id
            """).all()
        var counts: [ContentModelID: ContentEntryCount] = [:]
        for row in rows {
            counts[ContentModelID(unchecked: try Rows.string(row, "model_id"))] = ContentEntryCount(
                all: try row.decode(column: "n", as: Int.self), published: try row.decode(column: "published", as: Int.self)
            )
        }
        return counts
    }

    func entries(of model: ContentModelID) async throws -> [ContentEntryRecord] {
        let entries = try await database.raw("""
            SELECT * FROM content_entries WHERE model_id = \(bind: model.rawValue) ORDER BY created_at, id
            """).all()
        let languages = try await database.raw("""
            SELECT l.* FROM content_entry_languages l JOIN content_entries e ON e.id = l.entry_id
            WHERE e.model_id = \(bind: model.rawValue) ORDER BY l.entry_id, l.language
            """).all()
        return try ContentRows.entries(entries, languages)
    }

    func entry(_ id: ContentEntryID) async throws -> ContentEntryRecord? {
        try await entries(ids: [id]).first
    }

    func entry(of model: ContentModelID, slug: String) async throws -> ContentEntryRecord? {
        guard let row = try await database.raw("""
            SELECT id FROM content_entries WHERE model_id = \(bind: model.rawValue) AND slug = \(bind: slug)
            """).first() else { return nil }
        return try await entry(ContentEntryID(unchecked: try Rows.string(row, "id")))
    }

    func entries(ids: [ContentEntryID]) async throws -> [ContentEntryRecord] {
        var found: [ContentEntryRecord] = []
        for chunk in Array(Set(ids)).sorted().chunked(200) {
            let raw = chunk.map(\.rawValue)
            let entries = try await database.raw("""
                SELECT * FROM content_entries WHERE id IN (\(binds: raw)) ORDER BY created_at, id
                """).all()
            let languages = try await database.raw("""
                SELECT * FROM content_entry_languages WHERE entry_id IN (\(binds: raw)) ORDER BY entry_id, language
                """).all()
            found += try ContentRows.entries(entries, languages)
        }
        return found
    }

    func saveEntry(_ entry: ContentEntryRecord, isNew: Bool) async throws {
        let fields = Rows.json(entry.fields)
        if isNew {
            try await database.raw("""
                INSERT INTO content_entries (id, project_id, model_id, slug, status, source_language, fields, created_at, updated_at)
                VALUES (\(bind: entry.id.rawValue), \(bind: entry.projectID.rawValue), \(bind: entry.modelID.rawValue),
                        \(bind: entry.slug), \(bind: entry.status.rawValue), \(bind: entry.sourceLanguage.value), \(bind: fields),
                        \(bind: entry.createdAt.millisecondsSince1970), \(bind: entry.updatedAt.millisecondsSince1970))
                """).run()
        } else {
            try await database.raw("""
                UPDATE content_entries SET slug = \(bind: entry.slug), status = \(bind: entry.status.rawValue),
                    source_language = \(bind: entry.sourceLanguage.value), fields = \(bind: fields),
                    updated_at = \(bind: entry.updatedAt.millisecondsSince1970)
                WHERE id = \(bind: entry.id.rawValue)
                """).run()
            try await database.raw("DELETE FROM content_entry_languages WHERE entry_id = \(bind: entry.id.rawValue)").run()
        }
        for language in entry.languages {
            let published = language.published.map { Rows.json(StoredSnapshot($0)) }
            try await database.raw("""
                INSERT INTO content_entry_languages (entry_id, language, title, body, fields, updated_at, published)
                VALUES (\(bind: entry.id.rawValue), \(bind: language.language.value), \(bind: language.title), \(bind: language.body),
                        \(bind: Rows.json(language.fields)), \(bind: language.updatedAt.millisecondsSince1970), \(bind: published))
                """).run()
        }
    }

    func deleteEntry(_ id: ContentEntryID) async throws {
        try await database.raw("DELETE FROM content_entry_languages WHERE entry_id = \(bind: id.rawValue)").run()
        try await database.raw("DELETE FROM content_entries WHERE id = \(bind: id.rawValue)").run()
    }
}

/// Runs raw statements, classifying backend errors as ``StorageError``.
struct ClassifyingDatabase {
    let base: any SQLDatabase
    let driver: any SQLDriver

    struct Statement {
        let query: SQLRawBuilder
        let driver: any SQLDriver

        func run() async throws {
            do { try await query.run() } catch let error as StorageError { throw error } catch { throw driver.classify(error) }
        }

        func all() async throws -> [any SQLRow] {
            do { return try await query.all() } catch let error as StorageError { throw error } catch { throw driver.classify(error) }
        }

        func first() async throws -> (any SQLRow)? {
            do { return try await query.first() } catch let error as StorageError { throw error } catch { throw driver.classify(error) }
        }
    }

    func raw(_ sql: SQLQueryString) -> Statement {
        Statement(query: base.raw(sql), driver: driver)
    }
}

/// A field as stored in `content_models.fields`.
struct StoredField: Codable {
    var name: String
    var displayName: String
    var type: String
    var localized: Bool
    var required: Bool
    var helpText: String?
    var enumValues: [EnumOption]?
    var targetModel: String?
    var multiple: Bool

    init(_ field: ContentFieldDefinition) {
        name = field.name
        displayName = field.displayName
        type = field.type.rawValue
        localized = field.localized
        required = field.required
        helpText = field.helpText
        enumValues = field.enumValues
        targetModel = field.targetModel?.rawValue
        multiple = field.multiple
    }

    var definition: ContentFieldDefinition {
        get throws {
            guard let type = ContentFieldType(rawValue: type) else { throw StorageError.unavailable("unknown field type in a stored model") }
            return ContentFieldDefinition(
                name: name, displayName: displayName, type: type, localized: localized, required: required, helpText: helpText,
                enumValues: enumValues, targetModel: targetModel.map(ContentModelID.init(unchecked:)), multiple: multiple
            )
        }
    }
}

/// A published snapshot as stored, its time in milliseconds like every other column.
struct StoredSnapshot: Codable {
    var title: String
    var body: String?
    var fields: [String: JSONValue]
    var shared: [String: JSONValue]
    var publishedAt: Int64

    init(_ snapshot: ContentSnapshot) {
        title = snapshot.title
        body = snapshot.body
        fields = snapshot.fields
        shared = snapshot.shared
        publishedAt = snapshot.publishedAt.millisecondsSince1970
    }

    var snapshot: ContentSnapshot {
        ContentSnapshot(title: title, body: body, fields: fields, shared: shared, publishedAt: Date(millisecondsSince1970: publishedAt))
    }
}

enum ContentRows {
    static func model(_ row: any SQLRow) throws -> ContentModelRecord {
        ContentModelRecord(
            id: ContentModelID(unchecked: try Rows.string(row, "id")),
            projectID: ProjectID(unchecked: try Rows.string(row, "project_id")),
            slug: try Rows.string(row, "slug"),
            displayName: try Rows.string(row, "display_name"),
            description: try Rows.optionalString(row, "description"),
            kind: ContentModelKindName(rawValue: try Rows.string(row, "kind")) ?? .collection,
            includeBody: try row.decode(column: "include_body", as: Int.self) != 0,
            fields: try Rows.decodeJSON([StoredField].self, try Rows.string(row, "fields")).map { try $0.definition },
            createdAt: try Rows.date(row, "created_at"),
            updatedAt: try Rows.date(row, "updated_at")
        )
    }

    static func entries(_ entries: [any SQLRow], _ languages: [any SQLRow]) throws -> [ContentEntryRecord] {
        var byEntry: [String: [ContentEntryLanguage]] = [:]
        for row in languages {
            let published = try Rows.optionalString(row, "published").map { try Rows.decodeJSON(StoredSnapshot.self, $0).snapshot }
            byEntry[try Rows.string(row, "entry_id"), default: []].append(ContentEntryLanguage(
                language: try LanguageCode(try Rows.string(row, "language")),
                title: try Rows.string(row, "title"),
                body: try Rows.optionalString(row, "body"),
                fields: try Rows.decodeJSON([String: JSONValue].self, try Rows.string(row, "fields")),
                updatedAt: try Rows.date(row, "updated_at"),
                published: published
            ))
        }
        return try entries.map { row in
            let id = try Rows.string(row, "id")
            return ContentEntryRecord(
                id: ContentEntryID(unchecked: id),
                projectID: ProjectID(unchecked: try Rows.string(row, "project_id")),
                modelID: ContentModelID(unchecked: try Rows.string(row, "model_id")),
                slug: try Rows.string(row, "slug"),
                status: ContentEntryStatus(rawValue: try Rows.string(row, "status")) ?? .draft,
                sourceLanguage: try LanguageCode(try Rows.string(row, "source_language")),
                fields: try Rows.decodeJSON([String: JSONValue].self, try Rows.string(row, "fields")),
                languages: (byEntry[id] ?? []).sorted { $0.language < $1.language },
                createdAt: try Rows.date(row, "created_at"),
                updatedAt: try Rows.date(row, "updated_at")
            )
        }
    }

    static func publicKey(_ row: any SQLRow) throws -> PublicKeyRecord {
        PublicKeyRecord(
            id: PublicKeyID(unchecked: try Rows.string(row, "id")),
            organizationID: OrganizationID(unchecked: try Rows.string(row, "organization_id")),
            projectID: ProjectID(unchecked: try Rows.string(row, "project_id")),
            name: try Rows.string(row, "name"),
            digest: SecretDigest(hex: try Rows.string(row, "digest")),
            createdAt: try Rows.date(row, "created_at"),
            lastUsedAt: try Rows.optionalDate(row, "last_used_at"),
            revokedAt: try Rows.optionalDate(row, "revoked_at")
        )
    }
}
