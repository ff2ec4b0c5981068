import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §5.5: RFC 7662 introspection, for confidential clients only.
@Suite struct RFC7662IntrospectionTests {
    @Test func introspectionDescribesAnActiveToken() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens(scope: "org:read projects:read", projectAccess: "selected",
                                                 projectIDs: [world.projects[0].id.rawValue])
            let access = try await driver.introspect(tokens.access_token)
            #expect(access.active)
            #expect(access.token_type == "access_token")
            #expect(access.scope == "org:read projects:read")
            #expect(access.client_id == world.web.id.rawValue)
            #expect(access.grant_id == tokens.grant_id)
            #expect(access.organization_id == world.organization.id.rawValue)
            #expect(access.project_ids == [world.projects[0].id.rawValue])
            let iat = try #require(access.iat)
            #expect(try #require(access.exp) - iat == 1800)
            #expect(try await driver.introspect(tokens.refresh_token).token_type == "refresh_token")
        }
    }

    @Test func expiredAccessTokensAreInactive() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens()
            world.clock.advance(by: 1801)
            #expect(try await driver.introspect(tokens.access_token).active == false)
        }
    }

    @Test func publicClientsCannotIntrospectAndOthersSeeNothing() async throws {
        let world = try await OAuthWorld()
        let (other, otherSecret) = try await world.server.fixture.admin.createClient(
            name: "Other", type: "web", redirectURIs: [OAuthWorld.redirect], ownerEmail: nil
        )
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens()
            let publicClient = try await driver.post([("token", tokens.access_token), ("client_id", world.native.id.rawValue)], to: "/api/auth/mcp/introspect")
            #expect(publicClient.status == .unauthorized)
            #expect(publicClient.oauthError == "invalid_client")
            let foreign = try await driver.post([("token", tokens.access_token)], to: "/api/auth/mcp/introspect",
                                                basic: (other.id.rawValue, try #require(otherSecret).value))
            #expect(foreign.text == #"{"active":false}"#)
        }
    }
}
