import BetterI18nCore
import BetterI18nStorage
import Foundation

/// A project with what its JSON shows (SPEC §6.2): organization slug, languages, namespaces,
/// key count — five reads, so kept for half a second.
///
/// Writes through this instance drop the project's entry at once; another instance's writes
/// show here within half a second, the same bound as revocations.
struct ProjectSnapshot: Sendable {
    let project: Project
    let organizationSlug: String
    let languages: [ProjectLanguage]
    let namespaces: [NamespaceName]
    let keyCount: Int
}

typealias ProjectSnapshotCache = FreshnessCache<ProjectID, ProjectSnapshot>

struct ProjectSnapshots: Sendable {
    let storage: any Storage
    let cache: ProjectSnapshotCache

    func snapshot(_ id: ProjectID) async throws -> ProjectSnapshot? {
        if let cached = cache.value(for: id) { return cached }
        guard let project = try await storage.project(id: id) else { return nil }
        let snapshot = ProjectSnapshot(
            project: project,
            organizationSlug: try await storage.organization(id: project.organizationID)?.slug.value ?? project.organizationID.rawValue,
            languages: try await storage.languages(of: project.id),
            namespaces: try await storage.namespaces(of: project.id),
            keyCount: try await storage.keyCount(in: project.id)
        )
        cache.store(snapshot, for: id)
        return snapshot
    }

    /// After a write through this instance.
    func changed(_ id: ProjectID) {
        cache.remove(id)
    }
}
