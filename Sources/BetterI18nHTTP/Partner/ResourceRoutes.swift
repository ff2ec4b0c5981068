import BetterI18nAPI
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import BetterI18nStorage
import Foundation
import Hummingbird

/// The partner resource routes of SPEC §6.2 on `/api/oauth-client`, behind
/// ``PartnerAuthMiddleware`` (installation tokens, per-token rate limit). Each route names its
/// endpoint in `BetterI18nAPI.Endpoints`; the organization and project checks sit in
/// ``ResourceAccess``; services own the rules.
enum PartnerResources {
    static let prefix = "/api/oauth-client"

    static func register(on router: Router<AppRequestContext>, _ dependencies: AppDependencies) {
        let configuration = dependencies.configuration
        let api = router.group(RouterPath(prefix))
            .add(middleware: PartnerAuthMiddleware(
                authenticator: dependencies.oauth.bearer,
                limiter: RateLimiter(limit: configuration.rateLimitPerMinute, window: 60, clock: dependencies.clock),
                resourceMetadata: configuration.apiURL.absoluteString + "/.well-known/oauth-protected-resource"
            ))
        let cdnURL = configuration.cdnURL.absoluteString
        ProjectRoutes(projects: dependencies.projects, views: dependencies.projectViews, cdnURL: cdnURL).register(on: api)
        KeyRoutes(keys: dependencies.keys, glossary: dependencies.glossary, views: dependencies.projectViews)
            .register(on: api)
        ReleaseRoutes(releases: dependencies.releases, views: dependencies.projectViews, cdnURL: cdnURL).register(on: api)
        ContentRoutes(content: dependencies.content, projects: dependencies.projects, views: dependencies.projectViews).register(on: api)
        FileRoutes(files: dependencies.files, views: dependencies.projectViews).register(on: api)
    }
}

/// Organizations, projects and languages (SPEC §6.2).
struct ProjectRoutes {
    let projects: ProjectService
    let views: ProjectViews
    let cdnURL: String

    func register(on api: RouterGroup<AppRequestContext>) {
        let prefix = PartnerResources.prefix
        api.on(Endpoints.listOrganizations, below: prefix) { _, context in try await organizations(context) }
        api.on(Endpoints.listProjects, below: prefix) { request, context in try await organizationProjects(request, context) }
        api.on(Endpoints.createProject, below: prefix) { request, context in try await createProject(request, context) }
        api.on(Endpoints.getProject, below: prefix) { _, context in try await project(context) }
        api.on(Endpoints.addLanguage, below: prefix) { request, context in try await addLanguage(request, context) }
    }

    private func json(_ project: BetterI18nCore.Project) async throws -> BetterI18nAPI.Project {
        guard let view = try await views.view(project.id) else { throw APIError.notFound }
        return Wire.project(view, cdnURL: cdnURL)
    }

    private func organizations(_ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .orgRead)
        guard let organization = try await projects.organization(token.grant.organizationID) else { throw APIError.notFound }
        return JSONResponse.make(ListPage(items: [Wire.organization(organization)], nextCursor: nil), status: .ok)
    }

    private func organizationProjects(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .projectsRead)
        let access = ResourceAccess(token: token, views: views)
        try access.checkOrganization(context.parameters.value("orgId"))
        let slice = try Page(request).slice(try await projects.projects(in: token.grant.organizationID).filter(access.covers))
        var items: [BetterI18nAPI.Project] = []
        for project in slice.items { items.append(try await json(project)) }
        return JSONResponse.make(ListPage(items: items, nextCursor: slice.nextCursor), status: .ok)
    }

    private func project(_ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .projectsRead)
        let project = try await ResourceAccess(token: token, views: views).project(context.parameters.value("projectId"))
        // The hottest partner read: its body is encoded once per cached view, not per request.
        guard let body = try await views.rendering(of: project.id, { ByteBuffer(bytes: JSONResponse.encode(Wire.project($0, cdnURL: cdnURL))) })
        else { throw APIError.notFound }
        return JSONResponse.make(encoded: body, status: .ok)
    }

    /// Needs `projects:write` and a token that covers every project of the organization.
    private func createProject(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .projectsWrite)
        guard token.projects == .all else {
            throw APIError(.projectNotGranted, "Creating projects needs a token that covers all projects of the organization.")
        }
        let body = try await PartnerJSON.body(CreateProjectRequest.self, from: request)
        let (project, _) = try await projects.create(
            in: token.grant.organizationID, slug: body.slug, name: body.name, sourceLanguage: body.sourceLanguage
        )
        return JSONResponse.make(try await json(project), status: .created)
    }

    private func addLanguage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .projectsWrite)
        let project = try await ResourceAccess(token: token, views: views).project(context.parameters.value("projectId"))
        let body = try await PartnerJSON.body(AddLanguageRequest.self, from: request)
        try await projects.addLanguage(body.code, to: project)
        return JSONResponse.make(try await json(project), status: .created)
    }
}

/// The organization and project checks every partner route applies (SPEC §6.3):
/// `403 wrong_organization` for another organization's resource, `403 project_not_granted` for a
/// project outside the token's projects, `404 not_found` for what does not exist.
struct ResourceAccess {
    let token: AuthenticatedToken
    let views: ProjectViews

    func covers(_ project: BetterI18nCore.Project) -> Bool {
        project.organizationID == token.grant.organizationID && token.projects.contains(project.id)
    }

    func checkOrganization(_ raw: String) throws {
        guard let id = OrganizationID(raw) else { throw APIError.notFound }
        guard id == token.grant.organizationID else {
            throw APIError(.wrongOrganization, "This token is for another organization.")
        }
    }

    func project(_ raw: String) async throws -> BetterI18nCore.Project {
        guard let id = ProjectID(raw), let project = try await views.view(id)?.project else { throw APIError.notFound }
        guard project.organizationID == token.grant.organizationID else {
            throw APIError(.wrongOrganization, "The project belongs to another organization.")
        }
        guard token.projects.contains(project.id) else {
            throw APIError(.projectNotGranted, "The project is outside this token's projects.")
        }
        return project
    }
}

/// Cursor pagination (SPEC §6.2): `limit` (default 100, at most 1000) and an opaque `cursor`.
/// Keys and values page by position (the last row's sort key, `p:` + base64url JSON), so a
/// page costs the page; short lists (projects, releases, terms) by offset (`o:`).
struct Page {
    let limit: Int
    private let raw: String?

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let raw = query["limit"] {
            guard let limit = Int(String(raw)), (1...1000).contains(limit) else {
                throw APIError.invalidRequest("limit must be a whole number from 1 to 1000.")
            }
            self.limit = limit
        } else {
            limit = 100
        }
        raw = query["cursor"].map(String.init)
    }

    private static let refused = APIError.invalidRequest("The cursor is not one this API gave out.")

    private func decoded(prefix: String) throws -> Data? {
        guard let raw else { return nil }
        guard raw.count <= 4096, let data = Data(base64Encoded: Self.padded(raw)), data.starts(with: Array(prefix.utf8)) else {
            throw Self.refused
        }
        return data.dropFirst(prefix.utf8.count)
    }

    /// Where a keyset page starts; nil for the first page.
    func position<Position: Decodable>(_ type: Position.Type) throws -> Position? {
        guard let data = try decoded(prefix: "p:") else { return nil }
        guard let position = try? JSONDecoder().decode(Position.self, from: data) else { throw Self.refused }
        return position
    }

    static func cursor<Position: Encodable>(_ position: Position) -> String {
        Data(("p:" + String(decoding: JSONResponse.encode(position), as: UTF8.self)).utf8).base64URLEncoded
    }

    /// An offset page of a short list held in memory.
    func slice<T>(_ all: [T]) throws -> (items: ArraySlice<T>, nextCursor: String?) {
        var offset = 0
        if let data = try decoded(prefix: "o:") {
            guard let value = Int(String(decoding: data, as: UTF8.self)), value >= 0 else { throw Self.refused }
            offset = value
        }
        let start = min(offset, all.count)
        let end = min(start + limit, all.count)
        let next = end < all.count ? Data("o:\(end)".utf8).base64URLEncoded : nil
        return (all[start..<end], next)
    }

    private static func padded(_ raw: String) -> String {
        let base = raw.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return base + String(repeating: "=", count: (4 - base.count % 4) % 4)
    }
}
