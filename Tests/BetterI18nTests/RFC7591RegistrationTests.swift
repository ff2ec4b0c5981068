import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §5.2: RFC 7591 dynamic registration under each `--registration` policy.
@Suite struct RFC7591RegistrationTests {
    private func register(_ client: any TestClientProtocol, _ body: [String: Any], bearer: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await client.execute(uri: "/api/auth/mcp/register", method: .post, headers: headers,
                                        body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }

    @Test func openRegistrationCreatesAnUnverifiedClient() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let response = try await register(client, [
                "client_name": "Agent", "redirect_uris": ["http://127.0.0.1:3000/cb"], "token_endpoint_auth_method": "none",
            ])
            #expect(response.status == .created)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            let id = try #require(object["client_id"] as? String)
            #expect(object["client_secret"] == nil)
            #expect(object["client_secret_expires_at"] as? Int == 0)
            #expect(object["client_id_issued_at"] is Int)
            #expect(object["redirect_uris"] as? [String] == ["http://127.0.0.1:3000/cb"])
            let stored = try #require(try await world.storage.client(id: ClientID(unchecked: id)))
            #expect(!stored.isVerified)
            #expect(stored.type == .native)
            let confidential = try await register(client, ["client_name": "Web", "redirect_uris": ["https://a.example.com/cb"]])
            let secret = try #require((try JSONSerialization.jsonObject(with: Data(confidential.body.readableBytesView)) as? [String: Any])?["client_secret"] as? String)
            #expect(SecretFormatCheck(secret) == .valid(.clientSecret))
        }
    }

    @Test func aClientIsOfferedOnlyTheScopesItRegistered() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let response = try await register(client, [
                "client_name": "Reader", "redirect_uris": ["http://127.0.0.1:3000/cb"], "token_endpoint_auth_method": "none",
                "scope": "org:read projects:read",
            ])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            let id = try #require(object["client_id"] as? String)
            #expect(try await world.storage.client(id: ClientID(unchecked: id))?.scopes == ScopeSet([.orgRead, .projectsRead]))
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            // Beyond the registration: refused (as a page: the client is unverified).
            let wider = try await driver.consentPage(clientID: id, redirectURI: "http://127.0.0.1:3000/cb", pkce: PKCEPair(),
                                                     scope: "org:read translations:publish")
            #expect(wider.status == .badRequest)
            #expect(wider.headers[.location] == nil)
            // No scope named: the default-on scopes it registered, nothing more.
            let page = try await driver.consentPage(clientID: id, redirectURI: "http://127.0.0.1:3000/cb", pkce: PKCEPair())
            #expect(page.status == .ok)
            #expect(Set(page.checkedScopes) == ["org:read", "projects:read"])
            #expect(!page.text.contains(#"value="translations:publish""#))
        }
    }

    @Test func badMetadataIsRefused() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let badRedirect = try await register(client, ["redirect_uris": ["http://evil.example.com/cb"]])
            #expect(badRedirect.status == .badRequest)
            #expect(badRedirect.oauthError == "invalid_redirect_uri")
            let noRedirect = try await register(client, ["client_name": "x"])
            #expect(noRedirect.oauthError == "invalid_redirect_uri")
            let badMethod = try await register(client, ["redirect_uris": ["https://a.example.com/cb"], "token_endpoint_auth_method": "private_key_jwt"])
            #expect(badMethod.oauthError == "invalid_client_metadata")
            let implicit = try await register(client, ["redirect_uris": ["https://a.example.com/cb"], "response_types": ["token"]])
            #expect(implicit.oauthError == "invalid_client_metadata")
        }
    }

    @Test func registrationIsRateLimitedPerAddress() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            for _ in 0..<20 {
                #expect(try await register(client, ["redirect_uris": ["https://a.example.com/cb"]]).status == .created)
            }
            let limited = try await register(client, ["redirect_uris": ["https://a.example.com/cb"]])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
        }
    }

    @Test func registrationOffAnswers403() async throws {
        let world = try await OAuthWorld { $0.registration = .off }
        try await world.test { client in
            let response = try await register(client, ["redirect_uris": ["https://a.example.com/cb"]])
            #expect(response.status == .forbidden)
            #expect(response.oauthError == "registration_disabled")
        }
    }

    @Test func tokenRegistrationNeedsASingleUseInitialAccessToken() async throws {
        let world = try await OAuthWorld { $0.registration = .token }
        let token = try await world.server.dependencies.oauth.registration.createInitialAccessToken()
        try await world.test { client async throws in
            let body: [String: Any] = ["redirect_uris": ["https://a.example.com/cb"]]
            #expect(try await register(client, body).status == .unauthorized)
            #expect(try await register(client, body, bearer: Secret(kind: .initialAccessToken).value).status == .unauthorized)
            #expect(try await register(client, body, bearer: token.value).status == .created)
            #expect(try await register(client, body, bearer: token.value).status == .unauthorized)
        }
    }

    @Test func initialAccessTokensExpireAfterADay() async throws {
        let world = try await OAuthWorld { $0.registration = .token }
        let token = try await world.server.dependencies.oauth.registration.createInitialAccessToken()
        world.clock.advance(by: 86_401)
        try await world.test { client async throws in
            #expect(try await register(client, ["redirect_uris": ["https://a.example.com/cb"]], bearer: token.value).status == .unauthorized)
        }
    }
}
