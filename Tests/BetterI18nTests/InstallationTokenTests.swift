import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §6.1: minting installation tokens with an access token, and the layer rule.
@Suite struct InstallationTokenTests {
    private func mint(_ client: any TestClientProtocol, token: String, grant: String, body: [String: Any]? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        }
        return try await client.execute(uri: "/api/oauth-client/installations/\(grant)/tokens", method: .post, headers: headers, body: buffer)
    }

    private func me(_ client: any TestClientProtocol, _ token: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/oauth-client/me", method: .get, headers: [.authorization: "Bearer \(token)"])
    }

    private func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func anAccessTokenMintsAnInstallationToken() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "org:read projects:read keys:read")
            let response = try await mint(client, token: tokens.access_token, grant: tokens.grant_id)
            #expect(response.status == .created)
            let body = try object(response)
            let installation = try #require(body["installation_token"] as? String)
            #expect(SecretFormatCheck(installation) == .valid(.installationToken))
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["expires_in"] as? Int == 3600)
            #expect(body["grant_id"] as? String == tokens.grant_id)
            #expect(body["organization_id"] as? String == world.organization.id.rawValue)
            #expect(body["project_ids"] as? [String] == [])
            #expect(body["scopes"] as? [String] == ["org:read", "projects:read", "keys:read"])
            #expect((body["expires_at"] as? String)?.hasSuffix("Z") == true)
            let who = try object(try await me(client, installation))
            #expect((who["token"] as? [String: Any])?["type"] as? String == "installation_token")
        }
        #expect(try await world.storage.auditEvents(organization: world.organization.id, limit: 5).map(\.kind).contains(.installationTokenMinted))
    }

    @Test func installationTokenCannotMint() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens()
            let installation = try object(try await mint(client, token: tokens.access_token, grant: tokens.grant_id))["installation_token"] as! String
            let response = try await mint(client, token: installation, grant: tokens.grant_id)
            #expect(response.status == .unauthorized)
            #expect(response.oauthError == "invalid_token")
            let refresh = try await mint(client, token: tokens.refresh_token, grant: tokens.grant_id)
            #expect(refresh.status == .unauthorized)
        }
    }

    @Test func mintingNarrowsScopesAndProjectsButNeverWidens() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "org:read keys:read")
            let project = world.projects[1].id.rawValue
            let narrowed = try object(try await mint(client, token: tokens.access_token, grant: tokens.grant_id,
                                                     body: ["scopes": ["keys:read"], "project_ids": [project]]))
            #expect(narrowed["scopes"] as? [String] == ["keys:read"])
            #expect(narrowed["project_ids"] as? [String] == [project])
            let wider = try await mint(client, token: tokens.access_token, grant: tokens.grant_id, body: ["scopes": ["keys:write"]])
            #expect(wider.status == .badRequest)
            #expect(wider.oauthError == "invalid_scope")
            let foreign = try await mint(client, token: tokens.access_token, grant: tokens.grant_id, body: ["project_ids": [ProjectID.generate().rawValue]])
            #expect(foreign.status == .badRequest)
            #expect(foreign.oauthError == "invalid_project")
            let malformed = try await client.execute(uri: "/api/oauth-client/installations/\(tokens.grant_id)/tokens", method: .post,
                                                     headers: [.authorization: "Bearer \(tokens.access_token)", .contentType: "application/json"],
                                                     body: ByteBuffer(string: "{\"scopes\": 5}"))
            #expect(malformed.status == .badRequest)
            #expect(malformed.oauthError == "invalid_request")
        }
    }

    @Test func aGrantLimitedToProjectsMintsOnlyThose() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(projectAccess: "selected", projectIDs: [world.projects[0].id.rawValue])
            let minted = try object(try await mint(client, token: tokens.access_token, grant: tokens.grant_id))
            #expect(minted["project_ids"] as? [String] == [world.projects[0].id.rawValue])
            let outside = try await mint(client, token: tokens.access_token, grant: tokens.grant_id, body: ["project_ids": [world.projects[1].id.rawValue]])
            #expect(outside.oauthError == "invalid_project")
        }
    }

    /// SPEC §6.1: a token's projects are its own list intersected with the grant's current
    /// projects; an intersection that leaves nothing reaches no project, never every project.
    @Test func narrowingAGrantNarrowsLiveInstallationTokens() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let scopes = ["org:read", "projects:read"]
            let tokens = try await driver.tokens(scope: scopes.joined(separator: " "))
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let (a, b) = (world.projects[0].id.rawValue, world.projects[1].id.rawValue)
            let projects = "/api/oauth-client/v1/projects/"
            let everything = try await partner.installation()
            let onlyB = try await partner.installation(projects: [b])
            #expect(try await partner.call(projects + b, token: onlyB).status == .ok)
            #expect(try await partner.call(projects + b, token: everything).status == .ok)

            // The user approves the same app again, for project A only.
            _ = try await driver.authorize(pkce: PKCEPair(), scope: scopes.joined(separator: " "), projectAccess: "selected",
                                           projectIDs: [a], approving: scopes)

            let refused = try await partner.call(projects + b, token: onlyB)
            #expect(refused.status == .forbidden)
            #expect(refused.oauthError == "project_not_granted")
            #expect(try await partner.call(projects + a, token: onlyB).status == .forbidden, "{B} ∩ {A} reaches no project")
            let listed = try object(try await partner.call(
                "/api/oauth-client/organizations/\(world.organization.id.rawValue)/projects", token: onlyB))
            #expect((listed["projects"] as? [Any])?.isEmpty == true)
            #expect(try await partner.call(projects + b, token: everything).status == .forbidden)
            #expect(try await partner.call(projects + a, token: everything).status == .ok)
            let minted = try object(try await mint(client, token: tokens.access_token, grant: tokens.grant_id))
            #expect(minted["project_ids"] as? [String] == [a], "a new mint reaches only what the grant covers now")
            let introspected = try await driver.introspect(onlyB)
            #expect(introspected.active && introspected.project_ids == nil, "introspection never reports an empty intersection as []")
        }
    }

    @Test func anotherGrantsIdIs404AndARevokedGrantIs410() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens()
            let other = try await mint(client, token: tokens.access_token, grant: GrantID.generate().rawValue)
            #expect(other.status == .notFound)
            #expect(other.oauthError == "grant_not_found")
            _ = try await world.server.dependencies.oauth.grants.revoke(GrantID(unchecked: tokens.grant_id), actor: "test", reason: .admin)
            let revoked = try await mint(client, token: tokens.access_token, grant: tokens.grant_id)
            #expect(revoked.status == .gone)
            #expect(revoked.oauthError == "grant_revoked")
        }
    }

    @Test func mintsAreRateLimitedPerGrant() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens()
            for _ in 0..<30 {
                #expect(try await mint(client, token: tokens.access_token, grant: tokens.grant_id).status == .created)
            }
            let limited = try await mint(client, token: tokens.access_token, grant: tokens.grant_id)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
            world.clock.advance(by: 61)
            #expect(try await mint(client, token: tokens.access_token, grant: tokens.grant_id).status == .created)
        }
    }

    @Test func installationTokensDieWithTheirFamilyAndExpire() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens()
            let installation = try object(try await mint(client, token: tokens.access_token, grant: tokens.grant_id))["installation_token"] as! String
            #expect(try await me(client, installation).status == .ok)
            _ = try await driver.post([("token", tokens.refresh_token)], to: "/api/auth/mcp/revoke", basic: (world.web.id.rawValue, world.webSecret))
            #expect(try await me(client, installation).status == .unauthorized)

            let fresh = try await driver.tokens()
            let second = try object(try await mint(client, token: fresh.access_token, grant: fresh.grant_id))["installation_token"] as! String
            world.clock.advance(by: 3601)
            #expect(try await me(client, second).status == .unauthorized)
        }
    }

    @Test func uninstallRevokesTheGrantForEveryToken() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens()
            let installation = try object(try await mint(client, token: tokens.access_token, grant: tokens.grant_id))["installation_token"] as! String
            let response = try await client.execute(uri: "/api/oauth-client/installations/\(tokens.grant_id)", method: .delete,
                                                    headers: [.authorization: "Bearer \(tokens.access_token)"])
            #expect(response.status == .noContent)
            #expect(try await me(client, installation).status == .gone)
            #expect(try await me(client, tokens.access_token).status == .gone)
            #expect(try await driver.refresh(tokens.refresh_token).oauthError == "invalid_grant")
        }
        #expect(try await world.storage.auditEvents(organization: world.organization.id, limit: 5).map(\.kind).contains(.grantRevoked))
    }
}
