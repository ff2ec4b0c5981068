import BetterI18nCore
import BetterI18nStorage
import Foundation
import Synchronization

/// A project with what its views show (SPEC §6.2): organization slug, languages, namespaces,
/// key count.
public struct ProjectView: Sendable {
    public let project: Project
    public let organizationSlug: String
    public let languages: [ProjectLanguage]
    public let namespaces: [NamespaceName]
    public let keyCount: Int
}

/// Project views, five reads each, kept for half a second. Every service that changes what a
/// view shows drops it here at once, so the next read through this instance is fresh; another
/// instance's writes show within half a second, the same bound as revocations.
public final class ProjectViews: Sendable {
    public typealias Stores = ProjectStore & OrganizationStore

    /// A cached view with what a route rendered from it (its encoded JSON), dropped together.
    private final class Entry: Sendable {
        let view: ProjectView
        let rendering = Mutex<(any Sendable)?>(nil)

        init(_ view: ProjectView) {
            self.view = view
        }
    }

    private let storage: any Stores
    private let cache: FreshnessCache<ProjectID, Entry>

    public init(storage: any Stores, lifetime: Duration = .milliseconds(500)) {
        self.storage = storage
        cache = FreshnessCache(lifetime: lifetime)
    }

    public func view(_ id: ProjectID) async throws -> ProjectView? {
        try await entry(id)?.view
    }

    /// `render(view)`, computed once per cached view: an encoding of the view is exactly as
    /// fresh as the view and is dropped with it (by ``changed(_:)`` or its half second), so a
    /// hot read route encodes twice a second instead of on every request.
    public func rendering<R: Sendable>(of id: ProjectID, _ render: (ProjectView) throws -> R) async throws -> R? {
        guard let entry = try await entry(id) else { return nil }
        if let rendered = entry.rendering.withLock({ $0 }) as? R { return rendered }
        let rendered = try render(entry.view)
        entry.rendering.withLock { $0 = rendered }
        return rendered
    }

    private func entry(_ id: ProjectID) async throws -> Entry? {
        if let cached = cache.value(for: id) { return cached }
        guard let project = try await storage.project(id: id) else { return nil }
        let view = ProjectView(
            project: project,
            organizationSlug: try await storage.organization(id: project.organizationID)?.slug.value ?? project.organizationID.rawValue,
            languages: try await storage.languages(of: project.id),
            namespaces: try await storage.namespaces(of: project.id),
            keyCount: try await storage.keyCount(in: project.id)
        )
        let entry = Entry(view)
        cache.store(entry, for: id)
        return entry
    }

    /// After a write through this instance.
    public func changed(_ id: ProjectID) {
        cache.remove(id)
    }
}

/// Why a project write was refused.
public enum ProjectFailure: Error, Equatable, Sendable {
    /// A field is invalid (`422 validation_failed` naming it).
    case invalid(ItemProblem)
    /// The slug or language is taken (`409 conflict`).
    case conflict(String)
    case notFound
}

/// Projects and their languages, as partners, operators and the demo create them: one set of
/// rules for every path.
public struct ProjectService: Sendable {
    public typealias Stores = ProjectStore & OrganizationStore & AuditStore

    let storage: any Stores
    let views: ProjectViews
    let clock: any WallClock
    let random: any RandomSource

    public init(storage: any Stores, views: ProjectViews, clock: any WallClock, random: any RandomSource) {
        self.storage = storage
        self.views = views
        self.clock = clock
        self.random = random
    }

    public func organization(_ id: OrganizationID) async throws -> Organization? {
        try await storage.organization(id: id)
    }

    public func projects(in organization: OrganizationID) async throws -> [Project] {
        try await storage.projects(in: organization)
    }

    /// Creates a project with its source language and any others (duplicates collapse).
    public func create(
        in organization: OrganizationID, slug rawSlug: String, name rawName: String, sourceLanguage rawSource: String,
        languages rawLanguages: [String] = []
    ) async throws -> (project: Project, languages: [ProjectLanguage]) {
        let slug: Slug, name: DisplayName, source: LanguageCode
        var codes: [LanguageCode] = []
        do {
            slug = try Slug(rawSlug)
            name = try DisplayName(rawName)
            source = try LanguageCode(rawSource)
            codes = [source]
            for raw in rawLanguages where !raw.trimmingCharacters(in: .whitespaces).isEmpty {
                let code = try LanguageCode(raw)
                if !codes.contains(code) { codes.append(code) }
            }
        } catch let error as ValidationError {
            throw ProjectFailure.invalid(ItemProblem(index: 0, code: "invalid_\(error.field)", message: error.message))
        }
        let now = clock.now()
        let project = Project(
            id: .generate(using: random), organizationID: organization, slug: slug, name: name.value,
            sourceLanguage: source, createdAt: now, updatedAt: now
        )
        let languages = codes.map {
            ProjectLanguage(projectID: project.id, code: $0, status: .active, isSource: $0 == source, createdAt: now)
        }
        do {
            try await storage.createProject(project, languages: languages)
        } catch let error as StorageError where error.isConflict {
            throw ProjectFailure.conflict("The organization already has a project with the slug '\(slug)'.")
        }
        return (project, languages)
    }

    /// Adds a language (BCP 47) to a project.
    public func addLanguage(_ raw: String, to project: Project, origin: WriteOrigin? = nil) async throws {
        let code: LanguageCode
        do {
            code = try LanguageCode(raw)
        } catch let error as ValidationError {
            throw ProjectFailure.invalid(ItemProblem(index: 0, code: "invalid_language", message: error.message))
        }
        do {
            let now = clock.now()
            try await storage.addLanguage(ProjectLanguage(
                projectID: project.id, code: code, status: .active, isSource: false, createdAt: now
            ), events: [.languageAdded(project, language: code, at: now)])
        } catch let error as StorageError where error.isConflict {
            throw ProjectFailure.conflict("The project already has the language \(code).")
        }
        views.changed(project.id)
        if let origin {
            try await storage.recordAudit(origin.event(
                .languageAdded, in: project.organizationID, details: ["project": project.id.rawValue, "language": code.value], at: clock.now()
            ))
        }
    }
}
