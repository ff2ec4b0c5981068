import BetterI18nCore
import Foundation
import SQLKit

// MARK: - Releases

extension SQLStorage {
    public func publishRelease(
        id: ReleaseID, project: ProjectID, languages requested: [LanguageCode], at time: Date, publishedBy: String,
        render: @escaping @Sendable (PublishInput) throws -> RenderedRelease,
        event: (@Sendable (Release) -> OutboxEvent)?
    ) async throws -> Release {
        try await driver.writing { database in
            // Bumping the project's counter first takes the project row's lock on PostgreSQL, so
            // a concurrent publish of the same project waits here and then reads what this one
            // committed; on SQLite the single writer orders them anyway.
            guard let bumped = try await database.raw("""
                UPDATE projects SET release_version = release_version + 1
                WHERE id = \(bind: project.rawValue) RETURNING release_version
                """).first()
            else { throw StorageError.notFound("project") }
            let version = try bumped.decode(column: "release_version", as: Int.self)
            var previous: [ReleaseLanguage] = []
            var publishedAt = time
            if let last = try await database.raw("""
                SELECT id, published_at FROM releases WHERE project_id = \(bind: project.rawValue) AND version = \(bind: version - 1)
                """).first() {
                previous = try await Self.releaseLanguages(ReleaseID(unchecked: try Rows.string(last, "id")), on: database)
                let lastTime = try Rows.date(last, "published_at")
                if publishedAt.millisecondsSince1970 <= lastTime.millisecondsSince1970 {
                    publishedAt = Date(millisecondsSince1970: lastTime.millisecondsSince1970 + 1)
                }
            }
            let projectLanguages = try await database.raw("""
                SELECT code FROM project_languages WHERE project_id = \(bind: project.rawValue) ORDER BY code
                """).all().map { try LanguageCode(try Rows.string($0, "code")) }
            let digests = try await Self.sourceDigests(project, languages: projectLanguages, on: database)
            let before = Dictionary(previous.map { ($0.language, $0.sourceDigest) }, uniquingKeysWith: { first, _ in first })
            let toRender = Set(requested.filter { language in before[language].flatMap { $0 } != digests[language] })
            let input = PublishInput(
                keys: try await Self.keys(in: project, includingDeleted: false, on: database),
                translations: toRender.isEmpty ? [] : try await Self.translations(in: project, languages: Array(toRender), on: database),
                previous: previous, publishedAt: publishedAt,
                requested: requested, toRender: toRender, digests: digests
            )
            let rendered = try render(input)
            var release = Release(
                id: id, projectID: project, version: version, publishedAt: publishedAt,
                languages: rendered.languages.map(\.language).sorted(), publishedLanguages: requested.sorted(),
                publishedBy: publishedBy, projectLanguages: projectLanguages, namespaces: rendered.namespaces
            )
            try await database.raw("""
                INSERT INTO releases (id, project_id, version, published_at, languages, published_languages, published_by,
                                      project_languages, namespaces)
                VALUES (\(bind: id.rawValue), \(bind: project.rawValue), \(bind: version), \(bind: publishedAt.millisecondsSince1970),
                        \(bind: Self.list(release.languages)), \(bind: Self.list(release.publishedLanguages)), \(bind: publishedBy),
                        \(bind: Self.list(projectLanguages)), \(bind: Rows.json(rendered.namespaces)))
                """).run()
            for language in rendered.languages {
                let modified = language.namespaceModified.mapValues(\.millisecondsSince1970)
                try await database.raw("""
                    INSERT INTO release_languages (release_id, language, content, key_count, last_updated, format,
                                                   namespace_modified, source_digest)
                    VALUES (\(bind: id.rawValue), \(bind: language.language.value), \(bind: language.content),
                            \(bind: language.keyCount), \(bind: language.lastModified.millisecondsSince1970),
                            \(bind: language.format.rawValue), \(bind: Rows.json(modified)), \(bind: language.sourceDigest))
                    """).run()
            }
            if !toRender.isEmpty {
                try await Self.markPublished(project, languages: Array(toRender), on: database)
            }
            release.warnings = rendered.warnings
            if let event { try await Self.insertEvents([event(release)], on: database) }
            return release
        }
    }

    /// Records on each value of `languages` that the release now carries it (its `updated_at`
    /// at publish), and that deleted keys' values are gone; statuses and pending changes read
    /// these marks. Only rows whose mark changes are written.
    static func markPublished(_ project: ProjectID, languages: [LanguageCode], on database: any SQLDatabase) async throws {
        let codes = languages.map(\.value)
        try await database.raw("""
            UPDATE translations SET published_updated_at = updated_at
            WHERE language IN (\(binds: codes))
              AND (published_updated_at IS NULL OR published_updated_at <> updated_at)
              AND key_id IN (SELECT id FROM translation_keys WHERE project_id = \(bind: project.rawValue) AND deleted_at IS NULL)
            """).run()
        try await database.raw("""
            UPDATE translations SET published_updated_at = NULL
            WHERE language IN (\(binds: codes)) AND published_updated_at IS NOT NULL
              AND key_id IN (SELECT id FROM translation_keys WHERE project_id = \(bind: project.rawValue) AND deleted_at IS NOT NULL)
            """).run()
    }

    /// Per language, a digest of what a render of it would read: the live keys (count and
    /// times, so a create, rename or delete shows) and the language's values (count, sum and
    /// newest of their times, so any write shows, even one that committed late with an older
    /// time). Equal digests mean the same stored values, without reading them.
    static func sourceDigests(_ project: ProjectID, languages: [LanguageCode], on database: any SQLDatabase) async throws -> [LanguageCode: String] {
        let keys = try await database.raw("""
            SELECT COUNT(*) AS n, CAST(COALESCE(SUM(updated_at), 0) AS BIGINT) AS total, COALESCE(MAX(updated_at), 0) AS newest
            FROM translation_keys WHERE project_id = \(bind: project.rawValue) AND deleted_at IS NULL
            """).first()
        let keyPart = try keys.map { "\(try $0.decode(column: "n", as: Int64.self)):\(try $0.decode(column: "total", as: Int64.self)):\(try $0.decode(column: "newest", as: Int64.self))" } ?? "0:0:0"
        var values: [String: String] = [:]
        for row in try await database.raw("""
            SELECT t.language AS language, COUNT(*) AS n, CAST(SUM(t.updated_at) AS BIGINT) AS total, MAX(t.updated_at) AS newest
            FROM translations t JOIN translation_keys k ON k.id = t.key_id
            WHERE k.project_id = \(bind: project.rawValue) AND k.deleted_at IS NULL
            GROUP BY t.language
            """).all() {
            values[try Rows.string(row, "language")] = "\(try row.decode(column: "n", as: Int64.self)):\(try row.decode(column: "total", as: Int64.self)):\(try row.decode(column: "newest", as: Int64.self))"
        }
        var digests: [LanguageCode: String] = [:]
        for language in languages {
            digests[language] = "v2|\(keyPart)|\(values[language.value] ?? "0:0:0")"
        }
        return digests
    }

    public func releases(of project: ProjectID) async throws -> [Release] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM releases WHERE project_id = \(bind: project.rawValue) ORDER BY version DESC
                """).all().map(Self.release)
        }
    }

    public func latestReleaseVersion(of project: ProjectID) async throws -> Int {
        try await driver.reading { database in
            try await database.raw("""
                SELECT MAX(version) AS version FROM releases WHERE project_id = \(bind: project.rawValue)
                """).first()?.decode(column: "version", as: Int?.self) ?? 0
        }
    }

    public func release(of project: ProjectID, version: Int) async throws -> Release? {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM releases WHERE project_id = \(bind: project.rawValue) AND version = \(bind: version)
                """).first().map(Self.release)
        }
    }

    public func releaseLanguages(_ release: ReleaseID) async throws -> [ReleaseLanguage] {
        try await driver.reading { try await Self.releaseLanguages(release, on: $0) }
    }

    static func releaseLanguages(_ release: ReleaseID, on database: any SQLDatabase) async throws -> [ReleaseLanguage] {
        try await database.raw("""
            SELECT * FROM release_languages WHERE release_id = \(bind: release.rawValue) ORDER BY language
            """).all().map { row in
            let modified = try Rows.optionalString(row, "namespace_modified")
                .map { try Rows.decodeJSON([String: Int64].self, $0).mapValues(Date.init(millisecondsSince1970:)) } ?? [:]
            return ReleaseLanguage(
                language: try LanguageCode(try Rows.string(row, "language")),
                content: try Rows.string(row, "content"),
                format: ReleaseLanguage.Format(rawValue: try row.decode(column: "format", as: Int.self)) ?? .flat,
                keyCount: try row.decode(column: "key_count", as: Int.self),
                lastModified: try Rows.date(row, "last_updated"),
                namespaceModified: modified,
                sourceDigest: try Rows.optionalString(row, "source_digest")
            )
        }
    }

    private static func list(_ languages: [LanguageCode]) -> String {
        languages.map(\.value).joined(separator: ",")
    }

    private static func languages(_ text: String) throws -> [LanguageCode] {
        try text.split(separator: ",").map { try LanguageCode(String($0)) }
    }

    private static func release(_ row: any SQLRow) throws -> Release {
        let projectLanguages = try Rows.optionalString(row, "project_languages").map(languages)
        return Release(
            id: ReleaseID(unchecked: try Rows.string(row, "id")),
            projectID: ProjectID(unchecked: try Rows.string(row, "project_id")),
            version: try row.decode(column: "version", as: Int.self),
            publishedAt: try Rows.date(row, "published_at"),
            languages: try languages(try Rows.string(row, "languages")),
            publishedLanguages: try languages(try Rows.string(row, "published_languages")),
            publishedBy: try Rows.string(row, "published_by"),
            projectLanguages: projectLanguages,
            namespaces: try Rows.optionalString(row, "namespaces").map { try Rows.decodeJSON([String].self, $0) }
        )
    }
}
