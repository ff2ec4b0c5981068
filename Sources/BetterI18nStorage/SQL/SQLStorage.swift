import BetterI18nCore
import Foundation
import Logging
import SQLKit
import Synchronization

/// ``Storage`` in portable SQL over any ``SQLDriver``: one implementation, so SQLite and
/// PostgreSQL cannot drift apart, and one contract test suite proves both.
public struct SQLStorage: Storage {
    let driver: any SQLDriver

    public var backendName: String { driver.backendName }

    /// Wraps an open driver and applies pending migrations.
    public init(driver: any SQLDriver, now: Date = Date()) async throws {
        self.driver = driver
        _ = try await Migrations.apply(on: driver, now: now.millisecondsSince1970)
    }

    public func ping() async throws {
        _ = try await driver.reading { try await $0.raw("SELECT 1").all() }
    }

    public func close() async throws {
        try await driver.close()
    }

    public var writerBusyTime: Duration? { driver.writerBusyTime }
}

// MARK: - Users

extension SQLStorage {
    public func createUser(_ user: User, passwordHash: String) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO users (id, email, name, password_hash, created_at)
                VALUES (\(bind: user.id.rawValue), \(bind: user.email.value), \(bind: user.name),
                        \(bind: passwordHash), \(bind: user.createdAt.millisecondsSince1970))
                """).run()
        }
    }

    public func user(id: UserID) async throws -> User? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM users WHERE id = \(bind: id.rawValue)").first().map(Rows.user)
        }
    }

    public func user(email: EmailAddress) async throws -> User? {
        try await credentials(email: email)?.user
    }

    public func credentials(email: EmailAddress) async throws -> (user: User, passwordHash: String)? {
        let row = try await driver.reading { database in
            try await database.raw("SELECT * FROM users WHERE email = \(bind: email.value)").first().map {
                UserCredentialsRow(user: try Rows.user($0), passwordHash: try $0.decode(column: "password_hash", as: String.self))
            }
        }
        return row.map { ($0.user, $0.passwordHash) }
    }

    public func userCount() async throws -> Int {
        try await driver.reading { database in
            try await database.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }
}

private struct UserCredentialsRow: Sendable {
    let user: User
    let passwordHash: String
}

// MARK: - Organizations

extension SQLStorage {
    public func createOrganization(_ organization: Organization, owner: UserID) async throws {
        try await driver.writing { database in
            let created = organization.createdAt.millisecondsSince1970
            try await database.raw("""
                INSERT INTO organizations (id, slug, name, created_at)
                VALUES (\(bind: organization.id.rawValue), \(bind: organization.slug.value),
                        \(bind: organization.name), \(bind: created))
                """).run()
            try await Self.insertMembership(
                Membership(organizationID: organization.id, userID: owner, role: .owner, createdAt: organization.createdAt),
                on: database
            )
        }
    }

    public func organization(id: OrganizationID) async throws -> Organization? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM organizations WHERE id = \(bind: id.rawValue)").first().map(Rows.organization)
        }
    }

    public func organization(slug: Slug) async throws -> Organization? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM organizations WHERE slug = \(bind: slug.value)").first().map(Rows.organization)
        }
    }

    public func allOrganizationIDs() async throws -> [OrganizationID] {
        try await driver.reading { database in
            try await database.raw("SELECT id FROM organizations ORDER BY id").all().map {
                OrganizationID(unchecked: try $0.decode(column: "id", as: String.self))
            }
        }
    }

    public func addMember(_ membership: Membership) async throws {
        try await driver.writing { database in
            try await Self.insertMembership(membership, on: database)
        }
    }

    private static func insertMembership(_ membership: Membership, on database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO memberships (organization_id, user_id, role, created_at)
            VALUES (\(bind: membership.organizationID.rawValue), \(bind: membership.userID.rawValue),
                    \(bind: membership.role.rawValue), \(bind: membership.createdAt.millisecondsSince1970))
            """).run()
    }

    public func role(of user: UserID, in organization: OrganizationID) async throws -> Role? {
        try await driver.reading { database in
            try await database.raw("""
                SELECT role FROM memberships
                WHERE user_id = \(bind: user.rawValue) AND organization_id = \(bind: organization.rawValue)
                """).first().flatMap { Role(rawValue: try $0.decode(column: "role", as: String.self)) }
        }
    }

    public func memberships(of user: UserID) async throws -> [OrganizationMembership] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT o.*, m.role FROM organizations o
                JOIN memberships m ON m.organization_id = o.id
                WHERE m.user_id = \(bind: user.rawValue)
                ORDER BY o.name, o.slug
                """).all().map { row in
                OrganizationMembership(
                    organization: try Rows.organization(row),
                    role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .member
                )
            }
        }
    }
}

// MARK: - Projects

extension SQLStorage {
    public func createProject(_ project: Project, languages: [ProjectLanguage]) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO projects (id, organization_id, slug, name, source_language, created_at, updated_at)
                VALUES (\(bind: project.id.rawValue), \(bind: project.organizationID.rawValue), \(bind: project.slug.value),
                        \(bind: project.name), \(bind: project.sourceLanguage.value),
                        \(bind: project.createdAt.millisecondsSince1970), \(bind: project.updatedAt.millisecondsSince1970))
                """).run()
            for language in languages {
                try await database.raw("""
                    INSERT INTO project_languages (project_id, code, status, is_source, created_at)
                    VALUES (\(bind: project.id.rawValue), \(bind: language.code.value), \(bind: language.status.rawValue),
                            \(bind: language.isSource ? 1 : 0), \(bind: language.createdAt.millisecondsSince1970))
                    """).run()
            }
            try await Self.ensureNamespace(.default, in: project.id, at: project.createdAt, on: database)
        }
    }

    private static func ensureNamespace(
        _ namespace: NamespaceName, in project: ProjectID, at time: Date, on database: any SQLDatabase
    ) async throws {
        let existing = try await database.raw("""
            SELECT name FROM namespaces WHERE project_id = \(bind: project.rawValue) AND name = \(bind: namespace.value)
            """).first()
        guard existing == nil else { return }
        try await database.raw("""
            INSERT INTO namespaces (project_id, name, created_at)
            VALUES (\(bind: project.rawValue), \(bind: namespace.value), \(bind: time.millisecondsSince1970))
            """).run()
    }

    public func project(id: ProjectID) async throws -> Project? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM projects WHERE id = \(bind: id.rawValue)").first().map(Rows.project)
        }
    }

    public func project(organization: OrganizationID, slug: Slug) async throws -> Project? {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM projects WHERE organization_id = \(bind: organization.rawValue) AND slug = \(bind: slug.value)
                """).first().map(Rows.project)
        }
    }

    public func projects(in organization: OrganizationID) async throws -> [Project] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM projects WHERE organization_id = \(bind: organization.rawValue) ORDER BY name, slug
                """).all().map(Rows.project)
        }
    }

    public func languages(of project: ProjectID) async throws -> [ProjectLanguage] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM project_languages WHERE project_id = \(bind: project.rawValue)
                ORDER BY is_source DESC, code
                """).all().map(Rows.projectLanguage)
        }
    }

    public func addLanguage(_ language: ProjectLanguage, events: [OutboxEvent]) async throws {
        try await driver.writing { database in
            try await Self.insertEvents(events, on: database)
            try await database.raw("""
                INSERT INTO project_languages (project_id, code, status, is_source, created_at)
                VALUES (\(bind: language.projectID.rawValue), \(bind: language.code.value), \(bind: language.status.rawValue),
                        \(bind: language.isSource ? 1 : 0), \(bind: language.createdAt.millisecondsSince1970))
                """).run()
            try await database.raw("""
                UPDATE projects SET updated_at = \(bind: language.createdAt.millisecondsSince1970)
                WHERE id = \(bind: language.projectID.rawValue)
                """).run()
        }
    }

    public func keyCount(in project: ProjectID) async throws -> Int {
        try await driver.reading { database in
            try await database.raw("""
                SELECT COUNT(*) AS n FROM translation_keys WHERE project_id = \(bind: project.rawValue) AND deleted_at IS NULL
                """).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func namespaces(of project: ProjectID) async throws -> [NamespaceName] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT name FROM namespaces WHERE project_id = \(bind: project.rawValue) ORDER BY name
                """).all().map { NamespaceName.stored(try $0.decode(column: "name", as: String.self)) }
        }
    }
}

// MARK: - Keys and translations

extension SQLStorage {
    public func createKeys(_ keys: [TranslationKey], translations: [Translation], events: [OutboxEvent]) async throws {
        try await driver.writing { database in
            try await Self.insertEvents(events, on: database)
            for key in keys {
                try await Self.insertKey(key, on: database)
            }
            try await Self.upsert(translations, on: database)
        }
    }

    public func applyKeys(
        created: [TranslationKey], updated: [TranslationKey], translations: [Translation], events: [OutboxEvent]
    ) async throws {
        try await driver.writing { database in
            try await Self.insertEvents(events, on: database)
            try await Self.insertKeys(created, on: database)
            for key in updated {
                try await database.raw("""
                    UPDATE translation_keys SET description = \(bind: key.description),
                        updated_at = \(bind: key.updatedAt.millisecondsSince1970)
                    WHERE id = \(bind: key.id.rawValue) AND deleted_at IS NULL
                    """).run()
            }
            try await Self.upsert(translations, on: database)
        }
    }

    public func updateKey(_ key: TranslationKey) async throws {
        try await driver.writing { database in
            try await Self.ensureNamespace(key.namespace, in: key.projectID, at: key.updatedAt, on: database)
            // A renamed or moved key is a new path on the CDN: its values are drafts again.
            try await database.raw("""
                UPDATE translations SET published_updated_at = NULL
                WHERE key_id = \(bind: key.id.rawValue) AND published_updated_at IS NOT NULL
                  AND EXISTS (SELECT 1 FROM translation_keys k WHERE k.id = \(bind: key.id.rawValue)
                              AND (k.name <> \(bind: key.name.value) OR k.namespace <> \(bind: key.namespace.value)))
                """).run()
            try await database.raw("""
                UPDATE translation_keys SET name = \(bind: key.name.value), namespace = \(bind: key.namespace.value),
                    description = \(bind: key.description),
                    updated_at = CASE WHEN updated_at < \(bind: key.updatedAt.millisecondsSince1970)
                                      THEN \(bind: key.updatedAt.millisecondsSince1970) ELSE updated_at + 1 END
                WHERE id = \(bind: key.id.rawValue) AND deleted_at IS NULL
                """).run()
        }
    }

    /// New keys, 500 rows a statement (a file import creates thousands at once; one statement
    /// each would cost a round trip each on PostgreSQL), each namespace ensured once.
    private static func insertKeys(_ keys: [TranslationKey], on database: any SQLDatabase) async throws {
        var ensured: Set<String> = []
        for key in keys where ensured.insert("\(key.projectID.rawValue)\u{0}\(key.namespace.value)").inserted {
            try await ensureNamespace(key.namespace, in: key.projectID, at: key.createdAt, on: database)
        }
        var start = keys.startIndex
        while start < keys.endIndex {
            let end = min(start + 500, keys.endIndex)
            let rows: [SQLQueryString] = keys[start..<end].map { key in
                """
                (\(bind: key.id.rawValue), \(bind: key.projectID.rawValue), \(bind: key.namespace.value), \(bind: key.name.value),
                 \(bind: key.description), \(bind: key.createdAt.millisecondsSince1970), \(bind: key.updatedAt.millisecondsSince1970))
                """
            }
            try await database.raw("""
                INSERT INTO translation_keys (id, project_id, namespace, name, description, created_at, updated_at)
                VALUES \(rows.joined(separator: ", "))
                """).run()
            start = end
        }
    }

    private static func insertKey(_ key: TranslationKey, on database: any SQLDatabase) async throws {
        try await ensureNamespace(key.namespace, in: key.projectID, at: key.createdAt, on: database)
        try await database.raw("""
            INSERT INTO translation_keys (id, project_id, namespace, name, description, created_at, updated_at)
            VALUES (\(bind: key.id.rawValue), \(bind: key.projectID.rawValue), \(bind: key.namespace.value),
                    \(bind: key.name.value), \(bind: key.description),
                    \(bind: key.createdAt.millisecondsSince1970), \(bind: key.updatedAt.millisecondsSince1970))
            """).run()
    }

    public func keys(in project: ProjectID, includingDeleted: Bool) async throws -> [TranslationKey] {
        try await driver.reading { try await Self.keys(in: project, includingDeleted: includingDeleted, on: $0) }
    }

    static func keys(in project: ProjectID, includingDeleted: Bool, on database: any SQLDatabase) async throws -> [TranslationKey] {
        let liveOnly: SQLQueryString = includingDeleted ? "" : "AND deleted_at IS NULL"
        return try await database.raw("""
            SELECT * FROM translation_keys WHERE project_id = \(bind: project.rawValue) \(liveOnly)
            ORDER BY namespace, name, created_at
            """).all().map(Rows.key)
    }

    public func deleteKeys(_ ids: [KeyID], in project: ProjectID, at time: Date, events: [OutboxEvent]) async throws {
        try await driver.writing { database in
            try await Self.insertEvents(events, on: database)
            for id in Set(ids) {
                let live = try await database.raw("""
                    SELECT id FROM translation_keys
                    WHERE id = \(bind: id.rawValue) AND project_id = \(bind: project.rawValue) AND deleted_at IS NULL
                    """).first()
                guard live != nil else {
                    throw StorageError.notFound("key \(id) is not a live key of project \(project)")
                }
                try await database.raw("""
                    UPDATE translation_keys SET deleted_at = \(bind: time.millisecondsSince1970),
                        updated_at = \(bind: time.millisecondsSince1970)
                    WHERE id = \(bind: id.rawValue)
                    """).run()
            }
        }
    }

    public func saveTranslations(_ translations: [Translation], events: [OutboxEvent]) async throws {
        try await driver.writing { database in
            try await Self.insertEvents(events, on: database)
            try await Self.upsert(translations, on: database)
        }
    }

    /// Multi-row upserts, 500 rows (2,500 binds) per statement: well inside SQLite's and
    /// PostgreSQL's bind limits, and a thousand values cost two statements, not a thousand.
    static func upsert(_ values: [Translation], on database: any SQLDatabase) async throws {
        // One row per (key, language), the last value winning: PostgreSQL refuses a statement
        // that would update the same row twice.
        var seen: Set<String> = []
        let translations = values.reversed().filter { seen.insert("\($0.keyID.rawValue) \($0.language.value)").inserted }.reversed()
            .map { $0 }
        var start = translations.startIndex
        while start < translations.endIndex {
            let end = min(start + 500, translations.endIndex)
            let rows: [SQLQueryString] = translations[start..<end].map { translation in
                """
                (\(bind: translation.keyID.rawValue), \(bind: translation.language.value), \(bind: translation.value),
                 \(bind: translation.updatedBy), \(bind: translation.updatedAt.millisecondsSince1970))
                """
            }
            // INSERT … ON CONFLICT DO UPDATE is spelled the same in SQLite (≥ 3.24) and PostgreSQL.
            // A value's time moves forward on every write, even within one millisecond of the
            // last, so a publish can tell from times alone that something changed.
            try await database.raw("""
                INSERT INTO translations (key_id, language, value, updated_by, updated_at)
                VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (key_id, language) DO UPDATE SET
                    value = excluded.value, updated_by = excluded.updated_by,
                    updated_at = CASE WHEN excluded.updated_at > translations.updated_at
                                      THEN excluded.updated_at ELSE translations.updated_at + 1 END
                """).run()
            start = end
        }
    }

    public func translations(in project: ProjectID) async throws -> [Translation] {
        try await driver.reading { try await Self.translations(in: project, on: $0) }
    }

    public func values(in project: ProjectID, namespace: String?) async throws -> [(keyID: KeyID, language: String, value: String)] {
        let inNamespace: SQLQueryString = namespace.map { "AND k.namespace = \(bind: $0)" } ?? ""
        // Three columns and no sort: a third of the time and memory of `translations(in:)`.
        // (Reading language by language held less at once but took twice as long.) Each row is
        // kept as its three strings as it arrives, never as a list of 100,000 database rows.
        return try await driver.reading { database in
            let values = ValueRows()
            try await database.raw("""
                SELECT t.key_id, t.language, t.value FROM translations t
                JOIN translation_keys k ON k.id = t.key_id
                WHERE k.project_id = \(bind: project.rawValue) AND k.deleted_at IS NULL \(inNamespace)
                """).run { row in values.add(row) }
            return try values.collected()
        }
    }

    /// The rows of ``values(in:namespace:)`` as they are read (the database may call from
    /// another thread), with the first one that could not be read.
    private final class ValueRows: Sendable {
        private let state = Mutex<(rows: [(keyID: KeyID, language: String, value: String)], failure: (any Error)?)>(([], nil))

        func add(_ row: any SQLRow) {
            let value = Result { (KeyID(unchecked: try Rows.string(row, "key_id")), try Rows.string(row, "language"), try Rows.string(row, "value")) }
            state.withLock { state in
                switch value {
                case .success(let value): state.rows.append(value)
                case .failure(let error): state.failure = state.failure ?? error
                }
            }
        }

        func collected() throws -> [(keyID: KeyID, language: String, value: String)] {
            try state.withLock { state in
                if let failure = state.failure { throw failure }
                return state.rows
            }
        }
    }

    static func translations(in project: ProjectID, on database: any SQLDatabase) async throws -> [Translation] {
        try await database.raw("""
            SELECT t.* FROM translations t
            JOIN translation_keys k ON k.id = t.key_id
            WHERE k.project_id = \(bind: project.rawValue) AND k.deleted_at IS NULL
            ORDER BY k.namespace, k.name, t.language
            """).all().map(Rows.translation(codes: Rows.LanguageCodes()))
    }

    public func keyPage(in project: ProjectID, _ query: KeyPageQuery) async throws -> [TranslationKey] {
        var filters: [SQLQueryString] = []
        if let namespace = query.namespace { filters.append("AND namespace = \(bind: namespace)") }
        if let search = query.search, !search.isEmpty {
            filters.append("AND LOWER(name) LIKE \(bind: Self.likePattern(search)) ESCAPE '\\'")
        }
        if let language = query.missingLanguage {
            filters.append("""
                AND NOT EXISTS (SELECT 1 FROM translations t WHERE t.key_id = translation_keys.id AND t.language = \(bind: language.value))
                """)
        }
        if let after = query.after {
            // With the index's leading column in the row value, both planners range-scan it.
            filters.append("AND (project_id, namespace, name) > (\(bind: project.rawValue), \(bind: after.namespace), \(bind: after.name))")
        }
        let conditions = SQLList(filters, separator: SQLRaw(" "))
        return try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM translation_keys
                WHERE project_id = \(bind: project.rawValue) AND deleted_at IS NULL \(conditions)
                ORDER BY namespace, name LIMIT \(literal: max(0, query.limit))
                """).all().map(Rows.key)
        }
    }

    public func translationPage(in project: ProjectID, _ query: TranslationPageQuery) async throws -> [(key: TranslationKey, value: Translation)] {
        var filters: [SQLQueryString] = []
        /// Conditions on a value (`t`, which they may compare with its key `k`).
        var valueFilters: [SQLQueryString] = []
        if let languages = query.languages {
            guard !languages.isEmpty else { return [] }
            valueFilters.append("AND t.language IN (\(binds: languages.map(\.value)))")
        }
        if let namespace = query.namespace { filters.append("AND k.namespace = \(bind: namespace)") }
        // Selective filters drive the query from their own index (CROSS JOIN fixes SQLite's join
        // order; PostgreSQL plans it freely): the named keys, or the drafts through the partial
        // index of unpublished values — then only those rows are sorted for the page.
        var source: SQLQueryString = "translation_keys k JOIN translations t ON t.key_id = k.id"
        if let keys = query.keys {
            guard !keys.isEmpty else { return [] }
            source = """
                (SELECT id FROM translation_keys WHERE project_id = \(bind: project.rawValue) AND name IN (\(binds: keys))
                 UNION SELECT id FROM translation_keys WHERE project_id = \(bind: project.rawValue) AND id IN (\(binds: keys))) named
                CROSS JOIN translation_keys k CROSS JOIN translations t
                """
            filters.append("AND k.id = named.id AND t.key_id = k.id")
        }
        switch query.status {
        case .draft?:
            if query.keys == nil {
                // The drafts first (a materialized CTE over the partial index of unpublished
                // values, in both SQLite and PostgreSQL), then only they are joined and sorted.
                source = """
                    (SELECT key_id, language FROM translations
                     WHERE published_updated_at IS NULL OR published_updated_at <> updated_at) drafts
                    CROSS JOIN translations t CROSS JOIN translation_keys k
                    """
                filters.append("AND t.key_id = drafts.key_id AND t.language = drafts.language AND k.id = t.key_id")
            }
            valueFilters.append("AND (t.published_updated_at IS NULL OR t.published_updated_at <> t.updated_at)")
        case .published?: valueFilters.append("AND t.published_updated_at = t.updated_at")
        case nil: break
        }
        if let after = query.after {
            // The key part alone first, so the keys' index bounds the scan (PostgreSQL cannot
            // range-scan one index with a row value spanning two tables).
            filters.append("AND (k.project_id, k.namespace, k.name) >= (\(bind: project.rawValue), \(bind: after.namespace), \(bind: after.name))")
            valueFilters.append("AND (k.namespace, k.name, t.language) > (\(bind: after.namespace), \(bind: after.name), \(bind: after.language))")
            if query.keys == nil, query.status != .draft, driver.backendName == "postgres" {
                // PostgreSQL misjudges those row comparisons (it expects a row or so) and joins
                // or sorts the whole project: 200-350 ms for a deep page at 100,000 keys, more
                // with the comparison outside. Keys in the index's order from the cursor, each
                // with its values through a LATERAL subquery that holds the value conditions (its
                // LIMIT, beyond any language count, keeps it from being flattened back into a
                // join): the walk stops at the page, about 1 ms. SQLite, which has no LATERAL,
                // already plans the join that way.
                source = """
                    translation_keys k CROSS JOIN LATERAL (
                        SELECT * FROM translations t WHERE t.key_id = k.id \(SQLList(valueFilters, separator: SQLRaw(" ")))
                        ORDER BY t.language LIMIT 1000000
                    ) t
                    """
                valueFilters = []
            }
        }
        filters += valueFilters
        let conditions = SQLList(filters, separator: SQLRaw(" "))
        let from = source
        return try await driver.reading { database in
            try await database.raw("""
                SELECT k.*, t.language AS t_language, t.value AS t_value, t.updated_by AS t_updated_by, t.updated_at AS t_updated_at
                FROM \(from)
                WHERE k.project_id = \(bind: project.rawValue) AND k.deleted_at IS NULL \(conditions)
                ORDER BY k.namespace, k.name, t.language LIMIT \(literal: max(0, query.limit))
                """).all().map { row in
                let key = try Rows.key(row)
                return (key, Translation(
                    keyID: key.id, language: try LanguageCode(try Rows.string(row, "t_language")),
                    value: try Rows.string(row, "t_value"), updatedBy: try Rows.optionalString(row, "t_updated_by"),
                    updatedAt: try Rows.date(row, "t_updated_at")
                ))
            }
        }
    }

    public func pendingValues(in project: ProjectID) async throws -> [PendingValue] {
        try await driver.reading { database in
            // Written since last published: through the partial index of unpublished values.
            let drafts = try await database.raw("""
                SELECT k.namespace AS namespace, k.name AS name, t.language AS language,
                       CASE WHEN t.published_updated_at IS NULL THEN 1 ELSE 0 END AS added
                FROM translations t JOIN translation_keys k ON k.id = t.key_id
                WHERE (t.published_updated_at IS NULL OR t.published_updated_at <> t.updated_at)
                  AND k.project_id = \(bind: project.rawValue) AND k.deleted_at IS NULL
                """).all().map { row in
                PendingValue(
                    namespace: try Rows.string(row, "namespace"), name: try Rows.string(row, "name"),
                    language: try LanguageCode(try Rows.string(row, "language")),
                    change: try row.decode(column: "added", as: Int.self) == 1 ? .added : .changed
                )
            }
            // Deleted keys whose values a release still carries.
            let deleted = try await database.raw("""
                SELECT k.namespace AS namespace, k.name AS name, t.language AS language
                FROM translation_keys k JOIN translations t ON t.key_id = k.id
                WHERE k.project_id = \(bind: project.rawValue) AND k.deleted_at IS NOT NULL AND t.published_updated_at IS NOT NULL
                """).all().map { row in
                PendingValue(
                    namespace: try Rows.string(row, "namespace"), name: try Rows.string(row, "name"),
                    language: try LanguageCode(try Rows.string(row, "language")), change: .deleted
                )
            }
            return drafts + deleted
        }
    }

    public func liveKeys(in project: ProjectID, ids: [KeyID], names: [KeyPosition]) async throws -> [TranslationKey] {
        guard !ids.isEmpty || !names.isEmpty else { return [] }
        return try await driver.reading { database in
            var found: [TranslationKey] = []
            for chunk in ids.map(\.rawValue).chunked(500) {
                found += try await database.raw("""
                    SELECT * FROM translation_keys
                    WHERE project_id = \(bind: project.rawValue) AND deleted_at IS NULL AND id IN (\(binds: chunk))
                    """).all().map(Rows.key)
            }
            for chunk in names.chunked(400) {
                let pairs = SQLList(chunk.map { SQLQueryString("(\(bind: $0.namespace), \(bind: $0.name))") })
                found += try await database.raw("""
                    SELECT * FROM translation_keys
                    WHERE project_id = \(bind: project.rawValue) AND deleted_at IS NULL AND (namespace, name) IN (\(pairs))
                    """).all().map(Rows.key)
            }
            return found
        }
    }

    public func nestingNeighbours(in project: ProjectID, namespace: String, names: [String]) async throws -> [String] {
        guard !names.isEmpty else { return [] }
        var exact = Set<String>()
        for name in names {
            exact.insert(name)
            for prefix in KeyNesting.properPrefixes(name) { exact.insert(prefix) }
        }
        let candidates = Array(exact)
        return try await driver.reading { database in
            var found: [String] = []
            for chunk in candidates.chunked(500) {
                found += try await database.raw("""
                    SELECT name FROM translation_keys
                    WHERE project_id = \(bind: project.rawValue) AND namespace = \(bind: namespace) AND deleted_at IS NULL
                      AND name IN (\(binds: chunk))
                    """).all().map { try Rows.string($0, "name") }
            }
            // Keys below a name: the range ["name.", "name/"), '/' being the byte after '.'.
            for name in Set(names) where KeyNesting.nests(name) {
                found += try await database.raw("""
                    SELECT name FROM translation_keys
                    WHERE project_id = \(bind: project.rawValue) AND namespace = \(bind: namespace) AND deleted_at IS NULL
                      AND name > \(bind: name + ".") AND name < \(bind: name + "/") LIMIT 1
                    """).all().map { try Rows.string($0, "name") }
            }
            return found
        }
    }

    /// `%text%` for a case-insensitive LIKE, with `%`, `_` and `\` matched literally.
    static func likePattern(_ text: String) -> String {
        var escaped = ""
        for character in text.lowercased() {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }

    /// The values of some languages only: a publish reads just the languages that changed.
    static func translations(in project: ProjectID, languages: [LanguageCode], on database: any SQLDatabase) async throws -> [Translation] {
        try await database.raw("""
            SELECT t.* FROM translations t
            JOIN translation_keys k ON k.id = t.key_id
            WHERE k.project_id = \(bind: project.rawValue) AND k.deleted_at IS NULL
              AND t.language IN (\(binds: languages.map(\.value)))
            """).all().map(Rows.translation)
    }
}

// MARK: - OAuth clients

extension SQLStorage {
    public func createClient(_ client: OAuthClient) async throws {
        let redirectURIs = String(decoding: try JSONEncoder().encode(client.redirectURIs), as: UTF8.self)
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO oauth_clients (id, name, type, redirect_uris, logo_uri, client_uri, owner_user_id,
                                           secret_digest, is_verified, created_at, scopes)
                VALUES (\(bind: client.id.rawValue), \(bind: client.name), \(bind: client.type.rawValue),
                        \(bind: redirectURIs), \(bind: client.logoURI), \(bind: client.clientURI),
                        \(bind: client.ownerUserID?.rawValue), \(bind: client.secretDigest?.hex),
                        \(bind: client.isVerified ? 1 : 0), \(bind: client.createdAt.millisecondsSince1970),
                        \(bind: client.scopes.description))
                """).run()
        }
    }

    public func client(id: ClientID) async throws -> OAuthClient? {
        try await driver.reading { database in
            try await database.raw(
                "SELECT * FROM oauth_clients WHERE id = \(bind: id.rawValue) AND deleted_at IS NULL"
            ).first().map(Rows.client)
        }
    }
}

// MARK: - Sessions

extension SQLStorage {
    public func createSession(_ session: DashboardSession) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO sessions (digest, user_id, created_at, expires_at)
                VALUES (\(bind: session.digest.hex), \(bind: session.userID.rawValue),
                        \(bind: session.createdAt.millisecondsSince1970), \(bind: session.expiresAt.millisecondsSince1970))
                """).run()
        }
    }

    public func session(digest: SecretDigest) async throws -> DashboardSession? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM sessions WHERE digest = \(bind: digest.hex)").first().map { row in
                DashboardSession(
                    digest: SecretDigest(hex: try row.decode(column: "digest", as: String.self)),
                    userID: UserID(unchecked: try row.decode(column: "user_id", as: String.self)),
                    createdAt: try Rows.date(row, "created_at"),
                    expiresAt: try Rows.date(row, "expires_at")
                )
            }
        }
    }

    public func deleteSession(digest: SecretDigest) async throws {
        try await driver.writing { database in
            try await database.raw("DELETE FROM sessions WHERE digest = \(bind: digest.hex)").run()
        }
    }

    public func deleteSessions(expiredBefore time: Date) async throws -> Int {
        try await driver.writing { database in
            let cutoff = time.millisecondsSince1970
            let count = try await database.raw(
                "SELECT COUNT(*) AS n FROM sessions WHERE expires_at < \(bind: cutoff)"
            ).first()?.decode(column: "n", as: Int.self) ?? 0
            try await database.raw("DELETE FROM sessions WHERE expires_at < \(bind: cutoff)").run()
            return count
        }
    }
}

// MARK: - Glossary

extension SQLStorage {
    public func glossary(of organization: OrganizationID) async throws -> [GlossaryTerm] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM glossary_terms WHERE organization_id = \(bind: organization.rawValue) ORDER BY term
                """).all().map(Rows.glossaryTerm)
        }
    }

    public func saveGlossaryTerms(_ terms: [GlossaryTerm]) async throws {
        try await driver.writing { database in
            for term in terms {
                let translations = Rows.json(Dictionary(uniqueKeysWithValues: term.translations.map { ($0.key.value, $0.value) }))
                try await database.raw("""
                    INSERT INTO glossary_terms (organization_id, term, description, translations, created_at, updated_at)
                    VALUES (\(bind: term.organizationID.rawValue), \(bind: term.term), \(bind: term.description),
                            \(bind: translations), \(bind: term.createdAt.millisecondsSince1970), \(bind: term.updatedAt.millisecondsSince1970))
                    ON CONFLICT (organization_id, term) DO UPDATE SET
                        description = excluded.description, translations = excluded.translations, updated_at = excluded.updated_at
                    """).run()
            }
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements, for bind lists kept under driver limits.
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
