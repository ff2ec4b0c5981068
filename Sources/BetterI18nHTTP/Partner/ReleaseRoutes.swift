import BetterI18nCDN
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import BetterI18nStorage
import Foundation
import Hummingbird

/// Publishing (SPEC §6.2): pending changes, publish, releases — on the guarded partner group.
struct ReleaseRoutes {
    let dependencies: AppDependencies

    private var storage: any Storage { dependencies.storage }
    private var service: ReleaseService { dependencies.releases }
    private var snapshots: ProjectSnapshots { ProjectSnapshots(storage: storage, cache: dependencies.projectCache) }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("/v1/projects/:projectID/pending-changes") { _, context in try await pendingChanges(context) }
        api.post("/v1/projects/:projectID/publish") { request, context in try await publish(request, context) }
        api.get("/v1/projects/:projectID/releases") { request, context in try await releases(request, context) }
    }

    private func project(_ context: AppRequestContext, _ scope: Scope) async throws -> (AuthenticatedToken, ProjectSnapshot) {
        let token = try context.partnerToken(requiring: scope)
        let project = try await ResourceAccess(token: token, snapshots: snapshots).project(context.parameters.get("projectID") ?? "")
        guard let snapshot = try await snapshots.snapshot(project.id) else { throw APIError.notFound }
        return (token, snapshot)
    }

    // MARK: Shapes

    struct ReleaseJSON: Encodable {
        let id: String
        let version: Int
        let published_at: String
        let languages: [String]
        let manifest_url: String
        /// Only in a publish's answer: keys left out of the CDN files (SPEC §8).
        var warnings: [WarningJSON]?
    }

    struct WarningJSON: Encodable {
        let code = "key_conflict"
        let namespace: String
        let key: String
        let conflicts_with: String
        let languages: [String]
        let message: String
    }

    private func json(_ release: Release, _ snapshot: ProjectSnapshot) -> ReleaseJSON {
        ReleaseJSON(
            id: release.id.rawValue, version: release.version, published_at: release.publishedAt.iso8601,
            languages: release.languages.map(\.value),
            manifest_url: CDNBundle.baseURL(
                cdnURL: dependencies.configuration.cdnURL.absoluteString, organization: snapshot.organizationSlug,
                project: snapshot.project.slug.value, version: release.version
            ) + "/manifest.json"
        )
    }

    struct PendingJSON: Encodable {
        struct Changes: Encodable { let added, changed, deleted: [String] }
        let languages: [String: Changes]
    }

    private struct Publish: Decodable {
        let languages: [String]?

        private enum CodingKeys: String, CodingKey, CaseIterable { case languages }

        init(from decoder: any Decoder) throws {
            try StrictDecoding.check(decoder, allowed: Set(CodingKeys.allCases.map(\.rawValue)))
            languages = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([String].self, forKey: .languages)
        }
    }

    // MARK: Handlers

    private func pendingChanges(_ context: AppRequestContext) async throws -> Response {
        let (_, snapshot) = try await project(context, .translationsRead)
        let changes = try await service.pendingChanges(snapshot.project)
        return JSONResponse.make(PendingJSON(languages: Dictionary(uniqueKeysWithValues: changes.map {
            ($0.key.value, PendingJSON.Changes(added: $0.value.added, changed: $0.value.changed, deleted: $0.value.deleted))
        })), status: .ok)
    }

    /// Needs `translations:publish`; audited; the CDN of this instance shows the release at once
    /// and other instances within a second.
    private func publish(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (token, snapshot) = try await project(context, .translationsPublish)
        let body = try await PartnerJSON.decode(Publish.self, from: request, optional: true)
        let release: Release
        do {
            release = try await service.publish(snapshot.project, languages: body?.languages, publishedBy: token.grant.id.rawValue)
        } catch let failure as PublishFailure {
            switch failure {
            case .invalidLanguages(let problems):
                throw APIError.validationFailed(problems.map { APIError.ItemError(index: $0.index, error: $0.code, message: $0.message) })
            case .notFound:
                throw APIError.notFound
            }
        }
        dependencies.cdn.published(snapshot.project.id)
        let grant = token.grant
        try await storage.recordAudit(AuditEvent(
            kind: .translationsPublished, organizationID: grant.organizationID, clientID: grant.clientID, grantID: grant.id,
            actor: grant.clientID.rawValue,
            details: ["project": snapshot.project.id.rawValue, "version": String(release.version),
                      "languages": release.publishedLanguages.map(\.value).joined(separator: " ")],
            createdAt: release.publishedAt
        ))
        var answer = json(release, snapshot)
        answer.warnings = release.warnings.map { warning in
            WarningJSON(
                namespace: warning.namespace, key: warning.key, conflicts_with: warning.conflictsWith,
                languages: warning.languages.map(\.value),
                message: "'\(warning.key)' was left out of the CDN files because '\(warning.conflictsWith)' nests below it; rename one of them."
            )
        }
        return JSONResponse.make(answer, status: .created)
    }

    private func releases(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, snapshot) = try await project(context, .translationsRead)
        let page = try Page(request).slice(try await service.releases(snapshot.project))
        return JSONResponse.make(ListResponse(name: "releases", items: page.items.map { json($0, snapshot) }, nextCursor: page.nextCursor),
                                 status: .ok)
    }
}
