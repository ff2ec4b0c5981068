import BetterI18nCDN
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nStorage
import Foundation
import Hummingbird

/// The partner resource routes of SPEC §6.2 reached so far: organizations, projects and (in
/// ``KeyRoutes``) keys and translations.
/// Every route names its scope; the organization and project checks sit in ``ResourceAccess``.
struct ResourceRoutes {
    let dependencies: AppDependencies

    private var storage: any Storage { dependencies.storage }
    private var snapshots: ProjectSnapshots { ProjectSnapshots(storage: storage, cache: dependencies.projectCache) }

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("/api/oauth-client")
            .add(middleware: PartnerAuthMiddleware(
                authenticator: dependencies.oauth.bearer,
                limiter: RateLimiter(limit: dependencies.configuration.rateLimitPerMinute, window: 60, clock: dependencies.clock),
                resourceMetadata: dependencies.configuration.apiURL.absoluteString + "/.well-known/oauth-protected-resource"
            ))
        api.get("/organizations") { _, context in try await organizations(context) }
        api.get("/organizations/:orgID/projects") { request, context in try await organizationProjects(request, context) }
        api.post("/v1/projects") { request, context in try await createProject(request, context) }
        api.get("/v1/projects/:projectID") { _, context in try await project(context) }
        api.post("/v1/projects/:projectID/languages") { request, context in try await addLanguage(request, context) }
        KeyRoutes(dependencies: dependencies).register(on: api)
        ReleaseRoutes(dependencies: dependencies).register(on: api)
    }

    // MARK: Shapes (SPEC §6.2)

    struct OrganizationJSON: Encodable {
        let id, slug, name, created_at: String
    }

    struct LanguageJSON: Encodable {
        let code, name, status: String
        let is_source: Bool
    }

    struct ProjectJSON: Encodable {
        struct CDN: Encodable { let manifest_url: String }
        let id, slug, name, organization_id, source_language: String
        let languages: [LanguageJSON]
        let namespaces: [String]
        let key_count: Int
        let cdn: CDN
        let created_at, updated_at: String
    }

    private func json(_ project: Project) async throws -> ProjectJSON {
        guard let snapshot = try await snapshots.snapshot(project.id) else { throw APIError.notFound }
        return json(snapshot)
    }

    private func json(_ snapshot: ProjectSnapshot) -> ProjectJSON {
        let project = snapshot.project
        let manifest = CDNBundle.baseURL(
            cdnURL: dependencies.configuration.cdnURL.absoluteString, organization: snapshot.organizationSlug, project: project.slug.value
        ) + "/manifest.json"
        return ProjectJSON(
            id: project.id.rawValue, slug: project.slug.value, name: project.name, organization_id: project.organizationID.rawValue,
            source_language: project.sourceLanguage.value,
            languages: snapshot.languages.map {
                LanguageJSON(code: $0.code.value, name: $0.name, status: $0.status.rawValue, is_source: $0.isSource)
            },
            namespaces: snapshot.namespaces.map(\.value), key_count: snapshot.keyCount, cdn: .init(manifest_url: manifest),
            created_at: project.createdAt.iso8601, updated_at: project.updatedAt.iso8601
        )
    }

    // MARK: Organizations

    private func organizations(_ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .orgRead)
        guard let organization = try await storage.organization(id: token.grant.organizationID) else { throw APIError.notFound }
        return JSONResponse.make(ListResponse(name: "organizations", items: [
            OrganizationJSON(id: organization.id.rawValue, slug: organization.slug.value, name: organization.name,
                             created_at: organization.createdAt.iso8601),
        ], nextCursor: nil), status: .ok)
    }

    private func organizationProjects(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .projectsRead)
        let access = ResourceAccess(token: token, snapshots: snapshots)
        try access.checkOrganization(context.parameters.get("orgID") ?? "")
        let page = try Page(request)
        let visible = try await storage.projects(in: token.grant.organizationID).filter(access.covers)
        let slice = page.slice(visible)
        var projects: [ProjectJSON] = []
        for project in slice.items { projects.append(try await json(project)) }
        return JSONResponse.make(ListResponse(name: "projects", items: projects, nextCursor: slice.nextCursor), status: .ok)
    }

    // MARK: Projects

    private func project(_ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .projectsRead)
        let project = try await ResourceAccess(token: token, snapshots: snapshots).project(context.parameters.get("projectID") ?? "")
        return JSONResponse.make(try await json(project), status: .ok)
    }

    private struct CreateProject: Decodable {
        let name: String
        let slug: String
        let sourceLanguage: String
    }

    /// Needs `projects:write` and a token that covers every project of the organization.
    private func createProject(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .projectsWrite)
        guard token.projects == .all else {
            throw APIError(status: .forbidden, code: "project_not_granted",
                           description: "Creating projects needs a token that covers all projects of the organization.")
        }
        guard let body = try await PartnerJSON.decode(CreateProject.self, from: request) else { throw APIError.invalidRequest("A body is required.") }
        let now = dependencies.clock.now()
        let project: Project
        let source: LanguageCode
        do {
            source = try LanguageCode(body.sourceLanguage)
            project = Project(
                id: .generate(using: dependencies.random), organizationID: token.grant.organizationID, slug: try Slug(body.slug),
                name: try DisplayName(body.name).value, sourceLanguage: source, createdAt: now, updatedAt: now
            )
        } catch let error as ValidationError {
            throw APIError.validationFailed([.init(index: 0, error: "invalid_\(error.field)", message: error.message)])
        }
        do {
            try await storage.createProject(project, languages: [
                ProjectLanguage(projectID: project.id, code: source, status: .active, isSource: true, createdAt: now),
            ])
        } catch let error as StorageError where error.isConflict {
            throw APIError(status: .conflict, code: "conflict", description: "The organization already has a project with this slug.")
        }
        return JSONResponse.make(try await json(project), status: .created)
    }

    private struct AddLanguage: Decodable {
        let code: String
    }

    private func addLanguage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .projectsWrite)
        let project = try await ResourceAccess(token: token, snapshots: snapshots).project(context.parameters.get("projectID") ?? "")
        guard let body = try await PartnerJSON.decode(AddLanguage.self, from: request) else { throw APIError.invalidRequest("A body is required.") }
        let code: LanguageCode
        do {
            code = try LanguageCode(body.code)
        } catch let error as ValidationError {
            throw APIError.validationFailed([.init(index: 0, error: "invalid_language", message: error.message)])
        }
        do {
            try await storage.addLanguage(ProjectLanguage(
                projectID: project.id, code: code, status: .active, isSource: false, createdAt: dependencies.clock.now()
            ))
        } catch let error as StorageError where error.isConflict {
            throw APIError(status: .conflict, code: "conflict", description: "The project already has the language \(code).")
        }
        snapshots.changed(project.id)
        guard let updated = try await storage.project(id: project.id) else { throw APIError.notFound }
        return JSONResponse.make(try await json(updated), status: .created)
    }
}

/// The organization and project checks every partner route applies (SPEC §6.3):
/// `403 wrong_organization` for another organization's resource, `403 project_not_granted` for a
/// project outside the token's projects, `404 not_found` for what does not exist.
struct ResourceAccess {
    let token: AuthenticatedToken
    let snapshots: ProjectSnapshots

    func covers(_ project: Project) -> Bool {
        project.organizationID == token.grant.organizationID && token.projects.contains(project.id)
    }

    func checkOrganization(_ raw: String) throws {
        guard let id = OrganizationID(raw) else { throw APIError.notFound }
        guard id == token.grant.organizationID else {
            throw APIError(status: .forbidden, code: "wrong_organization", description: "This token is for another organization.")
        }
    }

    func project(_ raw: String) async throws -> Project {
        guard let id = ProjectID(raw), let project = try await snapshots.snapshot(id)?.project else { throw APIError.notFound }
        guard project.organizationID == token.grant.organizationID else {
            throw APIError(status: .forbidden, code: "wrong_organization", description: "The project belongs to another organization.")
        }
        guard token.projects.contains(project.id) else {
            throw APIError(status: .forbidden, code: "project_not_granted", description: "The project is outside this token's projects.")
        }
        return project
    }
}

/// Cursor pagination (SPEC §6.2): `limit` (default 100, at most 1000) and an opaque `cursor`.
struct Page {
    let offset: Int
    let limit: Int

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
        if let raw = query["cursor"] {
            guard let data = Data(base64Encoded: Self.padded(String(raw))), let text = String(data: data, encoding: .utf8),
                  text.hasPrefix("o:"), let offset = Int(text.dropFirst(2)), offset >= 0
            else {
                throw APIError.invalidRequest("The cursor is not one this API gave out.")
            }
            self.offset = offset
        } else {
            offset = 0
        }
    }

    func slice<T>(_ all: [T]) -> (items: ArraySlice<T>, nextCursor: String?) {
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
