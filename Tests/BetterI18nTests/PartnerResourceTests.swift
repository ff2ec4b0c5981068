import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §6.2–§6.3 for organizations and projects: the layer rule, scopes, organization and
/// project checks, rate limiting and its headers.
@Suite struct PartnerResourceTests {
    struct Partner {
        let client: any TestClientProtocol
        let world: OAuthWorld
        let tokens: TokenBody

        /// An installation token minted with the given narrowing.
        func installation(scopes: [String]? = nil, projects: [String]? = nil) async throws -> String {
            var body: [String: Any] = [:]
            if let scopes { body["scopes"] = scopes }
            if let projects { body["project_ids"] = projects }
            let response = try await client.execute(
                uri: "/api/oauth-client/installations/\(tokens.grant_id)/tokens", method: .post,
                headers: [.authorization: "Bearer \(tokens.access_token)", .contentType: "application/json"],
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
            )
            return try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])["installation_token"] as! String
        }

        func call(_ path: String, method: HTTPRequest.Method = .get, token: String, json: [String: Any]? = nil) async throws -> TestResponse {
            var headers: HTTPFields = [.authorization: "Bearer \(token)"]
            var body: ByteBuffer?
            if let json {
                headers[.contentType] = "application/json"
                body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            }
            return try await client.execute(uri: path, method: method, headers: headers, body: body)
        }
    }

    private func partner(_ client: any TestClientProtocol, _ world: OAuthWorld, scope: String = "org:read projects:read projects:write keys:read",
                         projectAccess: String = "all", projectIDs: [String] = []) async throws -> Partner {
        let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: scope, projectAccess: projectAccess, projectIDs: projectIDs)
        return Partner(client: client, world: world, tokens: tokens)
    }

    private func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func installationTokensReadOrganizationsAndProjects() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let partner = try await partner(client, world)
            let token = try await partner.installation()
            let organizations = try object(try await partner.call("/api/oauth-client/organizations", token: token))
            #expect((organizations["organizations"] as? [[String: Any]])?.first?["id"] as? String == world.organization.id.rawValue)
            let list = try await partner.call("/api/oauth-client/organizations/\(world.organization.id.rawValue)/projects", token: token)
            #expect(list.status == .ok)
            #expect((try object(list)["projects"] as? [[String: Any]])?.count == 2)
            let project = try object(try await partner.call("/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)", token: token))
            #expect(project["slug"] as? String == "web")
            #expect(project["source_language"] as? String == "en")
            #expect((project["languages"] as? [[String: Any]])?.map { $0["code"] as? String } == ["en", "de"])
            #expect(project["namespaces"] as? [String] == ["default"])
            #expect(project["key_count"] as? Int == 0)
            #expect(((project["cdn"] as? [String: Any])?["manifest_url"] as? String)?.hasSuffix("/cdn/\(world.organization.slug.value)/web/manifest.json") == true)
        }
    }

    @Test func accessTokenCannotReadProjects() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let partner = try await partner(client, world)
            let response = try await partner.call("/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)", token: partner.tokens.access_token)
            #expect(response.status == .unauthorized)
            #expect(response.oauthError == "invalid_token")
            #expect(response.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
        }
    }

    @Test func aTokenWithoutTheScopeGets403MissingScope() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let partner = try await partner(client, world)
            let token = try await partner.installation(scopes: ["org:read"])
            let response = try await partner.call("/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)", token: token)
            #expect(response.status == .forbidden)
            #expect(response.oauthError == "missing_scope")
            #expect(try object(response)["required"] as? String == "projects:read")
            #expect(response.headers[.wwwAuthenticate] == #"Bearer error="insufficient_scope", scope="projects:read""#)
        }
    }

    @Test func anotherOrganizationsResourcesAre403WrongOrganization() async throws {
        let world = try await OAuthWorld()
        let stranger = try await world.server.fixture.admin.createUser(email: Unique.email(), name: "S", password: world.password)
        let otherOrg = try await world.server.fixture.admin.createOrganization(slug: Unique.slug(), name: "Other", ownerEmail: stranger.email.value)
        let (otherProject, _) = try await world.server.fixture.admin.createProject(
            organizationSlug: otherOrg.slug.value, slug: "secret", name: "Secret", sourceLanguage: "en", languages: []
        )
        try await world.test { client in
            let partner = try await partner(client, world)
            let token = try await partner.installation()
            let projects = try await partner.call("/api/oauth-client/organizations/\(otherOrg.id.rawValue)/projects", token: token)
            #expect(projects.status == .forbidden)
            #expect(projects.oauthError == "wrong_organization")
            let project = try await partner.call("/api/oauth-client/v1/projects/\(otherProject.id.rawValue)", token: token)
            #expect(project.oauthError == "wrong_organization")
            #expect(try await partner.call("/api/oauth-client/v1/projects/\(ProjectID.generate().rawValue)", token: token).status == .notFound)
            #expect(try await partner.call("/api/oauth-client/v1/projects/nonsense", token: token).status == .notFound)
        }
    }

    @Test func aProjectOutsideTheTokenIs403ProjectNotGranted() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let partner = try await partner(client, world)
            let token = try await partner.installation(projects: [world.projects[0].id.rawValue])
            #expect(try await partner.call("/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)", token: token).status == .ok)
            let other = try await partner.call("/api/oauth-client/v1/projects/\(world.projects[1].id.rawValue)", token: token)
            #expect(other.status == .forbidden)
            #expect(other.oauthError == "project_not_granted")
            let list = try object(try await partner.call("/api/oauth-client/organizations/\(world.organization.id.rawValue)/projects", token: token))
            #expect((list["projects"] as? [[String: Any]])?.count == 1)
            let create = try await partner.call("/api/oauth-client/v1/projects", method: .post, token: token,
                                                json: ["name": "New", "slug": "new", "sourceLanguage": "en"])
            #expect(create.oauthError == "project_not_granted")
        }
    }

    @Test func creatingProjectsAndLanguagesValidatesAndRefusesDuplicates() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let partner = try await partner(client, world)
            let token = try await partner.installation()
            let created = try await partner.call("/api/oauth-client/v1/projects", method: .post, token: token,
                                                 json: ["name": "Docs", "slug": "docs", "sourceLanguage": "EN"])
            #expect(created.status == .created)
            let id = try #require(try object(created)["id"] as? String)
            #expect(try object(created)["source_language"] as? String == "en")
            let duplicate = try await partner.call("/api/oauth-client/v1/projects", method: .post, token: token,
                                                   json: ["name": "Docs", "slug": "docs", "sourceLanguage": "en"])
            #expect(duplicate.status == .conflict)
            let invalid = try await partner.call("/api/oauth-client/v1/projects", method: .post, token: token,
                                                 json: ["name": "Bad", "slug": "Not A Slug", "sourceLanguage": "en"])
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.oauthError == "validation_failed")
            #expect((try object(invalid)["errors"] as? [[String: Any]])?.first?["error"] as? String == "invalid_slug")
            let wrongType = try await partner.call("/api/oauth-client/v1/projects", method: .post, token: token, json: ["name": 5])
            #expect(wrongType.status == .badRequest)
            // The project read keeps its encoded body with the cached view; a write through this
            // instance must drop both, so the next read shows the new language at once.
            let before = try await partner.call("/api/oauth-client/v1/projects/\(id)", token: token)
            #expect((try object(before)["languages"] as? [[String: Any]])?.map { $0["code"] as? String } == ["en"])
            let language = try await partner.call("/api/oauth-client/v1/projects/\(id)/languages", method: .post, token: token, json: ["code": "pt-BR"])
            #expect(language.status == .created)
            #expect((try object(language)["languages"] as? [[String: Any]])?.map { $0["code"] as? String } == ["en", "pt-br"])
            let after = try await partner.call("/api/oauth-client/v1/projects/\(id)", token: token)
            #expect((try object(after)["languages"] as? [[String: Any]])?.map { $0["code"] as? String } == ["en", "pt-br"])
            #expect(try await partner.call("/api/oauth-client/v1/projects/\(id)/languages", method: .post, token: token, json: ["code": "PT-br"]).status == .conflict)
            #expect(try await partner.call("/api/oauth-client/v1/projects/\(id)/languages", method: .post, token: token, json: ["code": "klingon!"]).status == .unprocessableContent)
            let text = try await client.execute(uri: "/api/oauth-client/v1/projects/\(id)/languages", method: .post,
                                                headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"], body: ByteBuffer(string: "de"))
            #expect(text.status == .unsupportedMediaType)
        }
        #expect(try await world.storage.project(organization: world.organization.id, slug: Slug("docs")) != nil)
    }

    @Test func everyResponseCarriesRateLimitHeadersAndTheLimitIsEnforced() async throws {
        let world = try await OAuthWorld { $0.rateLimitPerMinute = 3 }
        try await world.test { client in
            let partner = try await partner(client, world)
            let token = try await partner.installation()
            let first = try await partner.call("/api/oauth-client/organizations", token: token)
            #expect(first.headers[HTTPFields.Element.Name("X-RateLimit-Limit")!] == "3")
            #expect(first.headers[HTTPFields.Element.Name("X-RateLimit-Remaining")!] == "2")
            #expect(first.headers[HTTPFields.Element.Name("X-RateLimit-Reset")!].flatMap(Int.init) != nil)
            let notFound = try await partner.call("/api/oauth-client/v1/projects/\(ProjectID.generate().rawValue)", token: token)
            #expect(notFound.headers[HTTPFields.Element.Name("X-RateLimit-Remaining")!] == "1")
            _ = try await partner.call("/api/oauth-client/organizations", token: token)
            let limited = try await partner.call("/api/oauth-client/organizations", token: token)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.oauthError == "rate_limited")
            #expect(limited.headers[.retryAfter] != nil)
            // Another token has its own budget.
            #expect(try await partner.call("/api/oauth-client/organizations", token: try await partner.installation()).status == .ok)
        }
    }

    @Test func paginationWalksTheListWithAnOpaqueCursor() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let partner = try await partner(client, world)
            let token = try await partner.installation()
            let base = "/api/oauth-client/organizations/\(world.organization.id.rawValue)/projects"
            let first = try object(try await partner.call(base + "?limit=1", token: token))
            let cursor = try #require(first["next_cursor"] as? String)
            let second = try object(try await partner.call(base + "?limit=1&cursor=\(cursor)", token: token))
            #expect(second["next_cursor"] is NSNull)
            let names = [first, second].compactMap { ($0["projects"] as? [[String: Any]])?.first?["slug"] as? String }
            #expect(Set(names) == ["web", "mobile"])
            #expect(try await partner.call(base + "?limit=0", token: token).status == .badRequest)
            #expect(try await partner.call(base + "?limit=1001", token: token).status == .badRequest)
            #expect(try await partner.call(base + "?cursor=garbage", token: token).status == .badRequest)
        }
    }
}
