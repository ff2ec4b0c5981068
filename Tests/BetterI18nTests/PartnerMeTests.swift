import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §6.1 `GET /api/oauth-client/me` and §9's RFC 9728 metadata.
@Suite struct PartnerMeTests {
    private func me(_ client: any TestClientProtocol, _ headers: HTTPFields) async throws -> TestResponse {
        try await client.execute(uri: "/api/oauth-client/me", method: .get, headers: headers)
    }

    @Test func anAccessTokenReadsMe() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "org:read keys:read")
            for headers: HTTPFields in [[.authorization: "Bearer \(tokens.access_token)"], [.authorization: "bearer \(tokens.access_token)"],
                                        [.authorization: "BEARER   \(tokens.access_token) \t"],
                                        [HTTPFields.Element.Name("x-api-key")!: tokens.access_token]] {
                let response = try await me(client, headers)
                #expect(response.status == .ok)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [String: Any]])
                #expect(object["user"]?["email"] as? String == world.owner.email.value)
                #expect(object["grant"]?["id"] as? String == tokens.grant_id)
                #expect(object["grant"]?["organization_id"] as? String == world.organization.id.rawValue)
                #expect(object["token"]?["type"] as? String == "access_token")
                #expect(object["token"]?["scopes"] as? [String] == ["org:read", "keys:read"])
            }
        }
    }

    /// SPEC §6.1: `user` is who approved the consent the token descends from, even after another
    /// admin approved the same app again (the grant's latest approver).
    @Test func meNamesTheUserWhoseConsentIssuedTheToken() async throws {
        let world = try await OAuthWorld()
        let admin = world.server.fixture.admin
        let other = try await admin.createUser(email: Unique.email("second"), name: "Second Admin", password: world.password)
        _ = try await admin.addMember(organizationSlug: world.organization.slug.value, email: other.email.value, role: "admin")
        try await world.test { client in
            let first = try await OAuthDriver(client: client, world: world).tokens(scope: "org:read")
            let second = OAuthDriver(client: client, world: world)
            try await second.signIn(as: other.email.value)
            let code = try await second.authorize(pkce: PKCEPair(), scope: "org:read", approving: ["org:read"])
            #expect(!code.isEmpty)
            let response = try await me(client, [.authorization: "Bearer \(first.access_token)"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [String: Any]])
            #expect(object["user"]?["email"] as? String == world.owner.email.value)
            #expect(object["grant"]?["id"] as? String == first.grant_id)
            let grant = try #require(try await world.storage.grant(id: GrantID(unchecked: first.grant_id)))
            #expect(grant.userID == other.id, "the grant's latest approver is the second admin")
        }
    }

    @Test func missingMalformedAndRefreshTokensGet401WithAChallenge() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens()
            let missing = try await me(client, [:])
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix(#"Bearer realm="better-i18n""#) == true)
            #expect(missing.headers[.wwwAuthenticate]?.contains("error=") == false)
            #expect(missing.oauthError == "invalid_token")
            for token in ["nonsense", tokens.refresh_token, Secret(kind: .accessToken).value] {
                let response = try await me(client, [.authorization: "Bearer \(token)"])
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
            }
        }
    }

    @Test func expiredAndRevokedTokensAre401AndARevokedGrantIs410() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens()
            _ = try await driver.post([("token", first.access_token)], to: "/api/auth/mcp/revoke", basic: (world.web.id.rawValue, world.webSecret))
            #expect(try await me(client, [.authorization: "Bearer \(first.access_token)"]).status == .unauthorized)
            let second = try await driver.refresh(first.refresh_token).json(TokenBody.self)
            world.clock.advance(by: 1801)
            #expect(try await me(client, [.authorization: "Bearer \(second.access_token)"]).status == .unauthorized)
            let third = try await driver.refresh(second.refresh_token).json(TokenBody.self)
            _ = try await world.server.dependencies.oauth.grants.revoke(GrantID(unchecked: third.grant_id), actor: "test", reason: .admin)
            let gone = try await me(client, [.authorization: "Bearer \(third.access_token)"])
            #expect(gone.status == .gone)
            #expect(gone.oauthError == "grant_revoked")
        }
    }

    @Test func protectedResourceMetadataNamesTheIssuer() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let response = try await client.execute(uri: "/.well-known/oauth-protected-resource/mcp", method: .get)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(object["resource"] as? String == world.issuer + "/mcp")
            #expect(object["authorization_servers"] as? [String] == [world.issuer])
            #expect(object["bearer_methods_supported"] as? [String] == ["header"])
        }
    }
}
