import BetterI18nAPI
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import Foundation
import Hummingbird

/// Publishing (SPEC §6.2): pending changes, publish, releases — on the guarded partner group.
struct ReleaseRoutes {
    let releases: ReleaseService
    let views: ProjectViews
    let cdnURL: String

    func register(on api: RouterGroup<AppRequestContext>) {
        let prefix = PartnerResources.prefix
        api.on(Endpoints.pendingChanges, below: prefix) { _, context in try await pendingChanges(context) }
        api.on(Endpoints.publish, below: prefix) { request, context in try await publish(request, context) }
        api.on(Endpoints.listReleases, below: prefix) { request, context in try await listReleases(request, context) }
    }

    private func project(_ context: AppRequestContext, _ scope: Scope) async throws -> (AuthenticatedToken, ProjectView) {
        let token = try context.partnerToken(requiring: scope)
        let project = try await ResourceAccess(token: token, views: views).project(context.parameters.value("projectId"))
        guard let view = try await views.view(project.id) else { throw APIError.notFound }
        return (token, view)
    }

    private func json(_ release: BetterI18nCore.Release, _ view: ProjectView) -> BetterI18nAPI.Release {
        Wire.release(release, organizationSlug: view.organizationSlug, projectSlug: view.project.slug.value, cdnURL: cdnURL)
    }

    private func pendingChanges(_ context: AppRequestContext) async throws -> Response {
        let (_, view) = try await project(context, .translationsRead)
        return JSONResponse.make(Wire.pendingChanges(try await releases.pendingChanges(view.project)), status: .ok)
    }

    /// Needs `translations:publish`; the service audits it and tells the CDN.
    private func publish(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (token, view) = try await project(context, .translationsPublish)
        let body = try await PartnerJSON.decode(PublishRequest.self, from: request, optional: true)
        let grant = token.grant
        let release = try await releases.publish(view.project, languages: body?.languages, by: Publisher(
            publishedBy: grant.id.rawValue, organizationID: grant.organizationID, clientID: grant.clientID, grantID: grant.id,
            actor: grant.clientID.rawValue
        ))
        var answer = json(release, view)
        answer.warnings = release.warnings.map(Wire.warning)
        return JSONResponse.make(answer, status: .created)
    }

    private func listReleases(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, view) = try await project(context, .translationsRead)
        let page = try Page(request).slice(try await releases.releases(view.project))
        return JSONResponse.make(ListPage(items: page.items.map { json($0, view) }, nextCursor: page.nextCursor), status: .ok)
    }
}
