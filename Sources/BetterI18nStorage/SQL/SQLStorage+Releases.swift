import BetterI18nCore
import Foundation
import SQLKit

// MARK: - Releases

extension SQLStorage {
    public func publishRelease(
        id: ReleaseID, project: ProjectID, at time: Date, publishedBy: String,
        render: @escaping @Sendable (PublishInput) throws -> (languages: [ReleaseLanguage], published: [LanguageCode])
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
            let previous: [ReleaseLanguage]
            if let last = try await database.raw("""
                SELECT id FROM releases WHERE project_id = \(bind: project.rawValue) AND version = \(bind: version - 1)
                """).first() {
                previous = try await Self.releaseLanguages(ReleaseID(unchecked: try Rows.string(last, "id")), on: database)
            } else {
                previous = []
            }
            let input = PublishInput(
                keys: try await Self.keys(in: project, includingDeleted: false, on: database),
                translations: try await Self.translations(in: project, on: database),
                previous: previous
            )
            let rendered = try render(input)
            let release = Release(
                id: id, projectID: project, version: version, publishedAt: time,
                languages: rendered.languages.map(\.language).sorted(), publishedLanguages: rendered.published.sorted(),
                publishedBy: publishedBy
            )
            try await database.raw("""
                INSERT INTO releases (id, project_id, version, published_at, languages, published_languages, published_by)
                VALUES (\(bind: id.rawValue), \(bind: project.rawValue), \(bind: version), \(bind: time.millisecondsSince1970),
                        \(bind: Self.list(release.languages)), \(bind: Self.list(release.publishedLanguages)), \(bind: publishedBy))
                """).run()
            for language in rendered.languages {
                try await database.raw("""
                    INSERT INTO release_languages (release_id, language, content, key_count, last_updated)
                    VALUES (\(bind: id.rawValue), \(bind: language.language.value), \(bind: language.content),
                            \(bind: language.keyCount), \(bind: language.lastUpdated.millisecondsSince1970))
                    """).run()
            }
            return release
        }
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
            ReleaseLanguage(
                language: try LanguageCode(try Rows.string(row, "language")),
                content: try Rows.string(row, "content"),
                keyCount: try row.decode(column: "key_count", as: Int.self),
                lastUpdated: try Rows.date(row, "last_updated")
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
        Release(
            id: ReleaseID(unchecked: try Rows.string(row, "id")),
            projectID: ProjectID(unchecked: try Rows.string(row, "project_id")),
            version: try row.decode(column: "version", as: Int.self),
            publishedAt: try Rows.date(row, "published_at"),
            languages: try languages(try Rows.string(row, "languages")),
            publishedLanguages: try languages(try Rows.string(row, "published_languages")),
            publishedBy: try Rows.string(row, "published_by")
        )
    }
}
