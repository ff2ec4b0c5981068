import BetterI18nCore
import BetterI18nOAuth
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §5.4: the token endpoint, PKCE (RFC 7636), rotation and reuse detection (RFC 9700).
@Suite struct RFC6749TokenEndpointTests {
    @Test func codeExchangeAnswersTheSpecBody() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce, scope: "org:read projects:read")
            let response = try await driver.exchange(code, pkce: pkce)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try response.json(TokenBody.self)
            #expect(SecretFormatCheck(body.access_token) == .valid(.accessToken))
            #expect(SecretFormatCheck(body.refresh_token) == .valid(.refreshToken))
            #expect(body.token_type == "Bearer")
            #expect(body.expires_in == 1800)
            #expect(body.scope == "org:read projects:read")
            #expect(body.organization_id == world.organization.id.rawValue)
            #expect(GrantID(body.grant_id) != nil)
        }
    }

    @Test func confidentialClientsMustAuthenticate() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce)
            let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthWorld.redirect), ("code_verifier", pkce.verifier)]
            let none = try await driver.post(form + [("client_id", world.web.id.rawValue)])
            #expect(none.status == .unauthorized)
            #expect(none.oauthError == "invalid_client")
            let wrongBasic = try await driver.post(form, basic: (world.web.id.rawValue, Secret(kind: .clientSecret).value))
            #expect(wrongBasic.status == .unauthorized)
            #expect(wrongBasic.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            // client_secret_post works, and the code was not burned by failed authentications.
            let post = try await driver.post(form + [("client_id", world.web.id.rawValue), ("client_secret", world.webSecret)])
            #expect(post.status == .ok)
        }
    }

    @Test func publicClientsUsePKCEAlone() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(clientID: world.native.id.rawValue, redirectURI: "http://127.0.0.1:4711/callback", pkce: pkce)
            let response = try await driver.post([
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "http://127.0.0.1:4711/callback"),
                ("code_verifier", pkce.verifier), ("client_id", world.native.id.rawValue),
            ])
            #expect(response.status == .ok)
            let withSecret = try await driver.post([("grant_type", "refresh_token"), ("refresh_token", try response.json(TokenBody.self).refresh_token),
                                                    ("client_id", world.native.id.rawValue), ("client_secret", "x")])
            #expect(withSecret.oauthError == "invalid_client")
        }
    }

    @Test func missingOrMalformedVerifierIsRefused() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce)
            let missing = try await driver.post([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthWorld.redirect)],
                                                basic: (world.web.id.rawValue, world.webSecret))
            #expect(missing.oauthError == "invalid_request")
            let short = try await driver.post([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthWorld.redirect),
                                              ("code_verifier", "too-short")], basic: (world.web.id.rawValue, world.webSecret))
            #expect(short.oauthError == "invalid_request")
            // Still usable with the right verifier: format errors do not consume the code.
            #expect(try await driver.exchange(code, pkce: pkce).status == .ok)
        }
    }

    @Test func wrongVerifierIsInvalidGrant() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce)
            let response = try await driver.exchange(code, pkce: PKCEPair())
            #expect(response.status == .badRequest)
            #expect(response.oauthError == "invalid_grant")
        }
    }

    @Test func aCodeIsBoundToItsClientAndRedirectURI() async throws {
        let world = try await OAuthWorld()
        let (other, otherSecret) = try await world.server.fixture.admin.createClient(
            name: "Other", type: "web", redirectURIs: [OAuthWorld.redirect], ownerEmail: nil
        )
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce)
            let otherClient = try await driver.post([
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthWorld.redirect), ("code_verifier", pkce.verifier),
            ], basic: (other.id.rawValue, try #require(otherSecret).value))
            #expect(otherClient.oauthError == "invalid_grant")
            let pkce2 = PKCEPair()
            let code2 = try await driver.code(pkce: pkce2)
            let otherRedirect = try await driver.exchange(code2, pkce: pkce2, redirectURI: "https://partner.example.com/elsewhere")
            #expect(otherRedirect.oauthError == "invalid_grant")
        }
    }

    @Test func codesExpireAfterTenMinutes() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce)
            world.clock.advance(by: 601)
            #expect(try await driver.exchange(code, pkce: pkce).oauthError == "invalid_grant")
        }
    }

    @Test func replayedCodeRevokesIssuedTokens() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce)
            let first = try await driver.exchange(code, pkce: pkce).json(TokenBody.self)
            #expect(try await driver.introspect(first.access_token).active)
            let replay = try await driver.exchange(code, pkce: pkce)
            #expect(replay.oauthError == "invalid_grant")
            #expect(try await driver.introspect(first.access_token).active == false)
            #expect(try await driver.refresh(first.refresh_token).oauthError == "invalid_grant")
        }
        let events = try await world.storage.auditEvents(organization: world.organization.id, limit: 20).map(\.kind)
        #expect(events.contains(.codeReplayed))
    }

    @Test(arguments: Backend.available)
    func ofTwentyConcurrentExchangesOfOneCodeExactlyOneSucceeds(backend: Backend) async throws {
        let world = try await OAuthWorld(backend: backend)
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await driver.exchange(code, pkce: pkce).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .badRequest }.count == 19)
        }
    }

    @Test func refreshRotatesTheRefreshToken() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens()
            let response = try await driver.refresh(first.refresh_token)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let second = try response.json(TokenBody.self)
            #expect(second.refresh_token != first.refresh_token)
            #expect(second.access_token != first.access_token)
            #expect(second.grant_id == first.grant_id)
            #expect(try await driver.refresh(second.refresh_token).status == .ok)
        }
    }

    @Test func reusedRefreshTokenRevokesTheFamilyButNotTheGrant() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens()
            let second = try await driver.refresh(first.refresh_token).json(TokenBody.self)
            #expect(try await driver.refresh(first.refresh_token).oauthError == "invalid_grant")
            #expect(try await driver.introspect(second.access_token).active == false)
            #expect(try await driver.refresh(second.refresh_token).oauthError == "invalid_grant")
            let grant = try #require(try await world.storage.grant(id: GrantID(unchecked: first.grant_id)))
            #expect(!grant.isRevoked)
            // A new authorization of the same pair works and keeps the grant id.
            #expect(try await driver.tokens().grant_id == first.grant_id)
        }
        let events = try await world.storage.auditEvents(organization: world.organization.id, limit: 20).map(\.kind)
        #expect(events.contains(.refreshTokenReused))
    }

    @Test(arguments: Backend.available)
    func ofTwentyConcurrentRefreshesOfOneTokenExactlyOneSucceeds(backend: Backend) async throws {
        let world = try await OAuthWorld(backend: backend) { $0.refreshReuseGrace = 0 }
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await driver.refresh(first.refresh_token).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .badRequest }.count == 19)
        }
    }

    @Test func reuseGraceAcceptsTheRotatedTokenOnceWithinTheWindow() async throws {
        let world = try await OAuthWorld { $0.refreshReuseGrace = 10 }
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens()
            let second = try await driver.refresh(first.refresh_token).json(TokenBody.self)
            world.clock.advance(by: 5)
            let graced = try await driver.refresh(first.refresh_token)
            #expect(graced.status == .ok)
            #expect(try await driver.introspect(second.access_token).active, "nothing was revoked")
            // Only once: a third presentation is reuse.
            #expect(try await driver.refresh(first.refresh_token).oauthError == "invalid_grant")
        }
    }

    @Test func reuseGraceEndsAfterItsWindow() async throws {
        let world = try await OAuthWorld { $0.refreshReuseGrace = 10 }
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens()
            let second = try await driver.refresh(first.refresh_token).json(TokenBody.self)
            world.clock.advance(by: 11)
            #expect(try await driver.refresh(first.refresh_token).oauthError == "invalid_grant")
            #expect(try await driver.introspect(second.access_token).active == false)
        }
    }

    @Test func refreshMayNarrowButNeverWidenTheScope() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens(scope: "org:read projects:read keys:read")
            let narrowed = try await driver.refresh(first.refresh_token, extra: [("scope", "org:read")])
            #expect(narrowed.status == .ok)
            let body = try narrowed.json(TokenBody.self)
            #expect(body.scope == "org:read")
            // The refresh token keeps the original scope.
            let back = try await driver.refresh(body.refresh_token).json(TokenBody.self)
            #expect(back.scope == "org:read projects:read keys:read")
            let wider = try await driver.refresh(back.refresh_token, extra: [("scope", "org:read glossary:write")])
            #expect(wider.oauthError == "invalid_scope")
        }
    }

    @Test func refreshTokensExpire() async throws {
        let world = try await OAuthWorld { $0.refreshTokenTTL = 100 }
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens()
            world.clock.advance(by: 101)
            #expect(try await driver.refresh(first.refresh_token).oauthError == "invalid_grant")
        }
    }

    @Test func aRevokedGrantsRefreshTokenIsInvalidGrant() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens()
            _ = try await world.server.dependencies.oauth.grants.revoke(GrantID(unchecked: first.grant_id), actor: "test", reason: .admin)
            #expect(try await driver.refresh(first.refresh_token).oauthError == "invalid_grant")
            #expect(try await driver.introspect(first.access_token).active == false)
        }
    }

    @Test func unknownGrantTypesAndDuplicateParametersAreRefused() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let password = try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, world.webSecret))
            #expect(password.oauthError == "unsupported_grant_type")
            let twice = try await driver.post([("grant_type", "refresh_token"), ("grant_type", "refresh_token")],
                                              basic: (world.web.id.rawValue, world.webSecret))
            #expect(twice.oauthError == "invalid_request")
        }
    }

    @Test func resourceMustMatchTheAuthorizationRequest() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let api = world.server.dependencies.configuration.apiURL.absoluteString
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce, extra: [("resource", api + "/mcp")])
            let mismatch = try await driver.exchange(code, pkce: pkce, extra: [("resource", api)])
            #expect(mismatch.oauthError == "invalid_target")
            let pkce2 = PKCEPair()
            let code2 = try await driver.code(pkce: pkce2, extra: [("resource", api + "/mcp")])
            #expect(try await driver.exchange(code2, pkce: pkce2, extra: [("resource", api + "/mcp")]).status == .ok)
        }
    }

    @Test func theTokenEndpointIsRateLimitedPerClient() async throws {
        let world = try await OAuthWorld { $0.tokenRateLimitPerMinute = 3 }
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            for _ in 0..<3 {
                let response = try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, world.webSecret))
                #expect(response.status == .badRequest)
            }
            let limited = try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, world.webSecret))
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
            world.clock.advance(by: 61)
            #expect(try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, world.webSecret)).status == .badRequest)
        }
    }

    /// SPEC §6.3: the budget is per *authenticated* client — requests naming a client without its
    /// secret spend nothing of it; they count as failed authentication of their address.
    @Test func anUnauthenticatedClientIDDoesNotSpendTheClientsBudget() async throws {
        let world = try await OAuthWorld { $0.tokenRateLimitPerMinute = 3 }
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            for _ in 0..<10 {
                let forged = try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, "bi_cs_wrong"))
                #expect(forged.status == .unauthorized)
            }
            for _ in 0..<3 {
                #expect(try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, world.webSecret)).status == .badRequest)
            }
            #expect(try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, world.webSecret)).status == .tooManyRequests)
        }
    }

    /// Failed client authentication is limited per address (60 a minute), whatever client ids it
    /// names; past it failures are answered 429, while a client that authenticates from the same
    /// address still gets through.
    @Test func failedClientAuthenticationIsLimitedPerAddress() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            for _ in 0..<60 {
                let made = try await driver.post([("grant_type", "password"), ("client_id", ClientID.generate().rawValue)])
                #expect(made.status == .unauthorized)
            }
            let limited = try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, "bi_cs_wrong"))
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
            #expect(try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, world.webSecret)).status == .badRequest,
                    "the real client is not locked out by its address's failures")
            world.clock.advance(by: 61)
            #expect(try await driver.post([("grant_type", "password")], basic: (world.web.id.rawValue, "bi_cs_wrong")).status == .unauthorized)
        }
    }

    /// Every in-memory limiter is bounded: a flood of distinct keys within one window keeps at most
    /// `capacity` of them.
    @Test func aRateLimiterTracksABoundedNumberOfKeys() {
        let limiter = RateLimiter(limit: 5, window: 60, clock: ManualWallClock(), capacity: 1_000)
        for index in 0..<20_000 { _ = limiter.record("key-\(index)") }
        #expect(limiter.trackedKeys <= 1_000)
        #expect(limiter.record("key-19999").remaining == 3, "the newest keys keep their counts")
    }

    @Test func jsonBodiesAreAcceptedToo() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce)
            let body = try JSONSerialization.data(withJSONObject: [
                "grant_type": "authorization_code", "code": code, "redirect_uri": OAuthWorld.redirect,
                "code_verifier": pkce.verifier, "client_id": world.web.id.rawValue, "client_secret": world.webSecret,
            ])
            let response = try await client.execute(uri: "/api/auth/mcp/token", method: .post,
                                                    headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
        }
    }
}
