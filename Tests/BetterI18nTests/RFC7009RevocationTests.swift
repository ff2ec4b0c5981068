import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §5.5: RFC 7009 revocation.
@Suite struct RFC7009RevocationTests {
    @Test func revokingARefreshTokenRevokesItsFamily() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens()
            let response = try await driver.post([("token", tokens.refresh_token), ("token_type_hint", "refresh_token")], to: "/api/auth/mcp/revoke",
                                                 basic: (world.web.id.rawValue, world.webSecret))
            #expect(response.status == .ok)
            #expect(try await driver.introspect(tokens.access_token).active == false)
            #expect(try await driver.refresh(tokens.refresh_token).oauthError == "invalid_grant")
            #expect(try await world.storage.grant(id: GrantID(unchecked: tokens.grant_id))?.isRevoked == false)
        }
    }

    @Test func revokingAnAccessTokenRevokesItAlone() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens()
            let response = try await driver.post([("token", tokens.access_token)], to: "/api/auth/mcp/revoke",
                                                 basic: (world.web.id.rawValue, world.webSecret))
            #expect(response.status == .ok)
            #expect(try await driver.introspect(tokens.access_token).active == false)
            #expect(try await driver.refresh(tokens.refresh_token).status == .ok)
        }
    }

    @Test func unknownAndForeignTokensAnswer200AndStayUntouched() async throws {
        let world = try await OAuthWorld()
        let (other, otherSecret) = try await world.server.fixture.admin.createClient(
            name: "Other", type: "web", redirectURIs: [OAuthWorld.redirect], ownerEmail: nil
        )
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens()
            let unknown = try await driver.post([("token", Secret(kind: .accessToken).value)], to: "/api/auth/mcp/revoke",
                                                basic: (world.web.id.rawValue, world.webSecret))
            #expect(unknown.status == .ok)
            let foreign = try await driver.post([("token", tokens.refresh_token)], to: "/api/auth/mcp/revoke",
                                                basic: (other.id.rawValue, try #require(otherSecret).value))
            #expect(foreign.status == .ok)
            #expect(try await driver.introspect(tokens.access_token).active)
            let unauthenticated = try await driver.post([("token", tokens.refresh_token)], to: "/api/auth/mcp/revoke")
            #expect(unauthenticated.status == .unauthorized)
        }
    }
}
