import BetterI18nCore
import BetterI18nOAuth
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §5.1 and §5.3: metadata, the authorization endpoint's validation order, and consent.
@Suite struct RFC6749AuthorizationTests {
    @Test func metadataListsTheEndpointsOfTheIssuer() async throws {
        let world = try await OAuthWorld { $0.publicURL = URL(string: "https://i18n.example.com")! }
        try await world.test { client in
            let response = try await client.execute(uri: "/.well-known/oauth-authorization-server", method: .get)
            #expect(response.status == .ok)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(object["issuer"] as? String == "https://i18n.example.com")
            #expect(object["authorization_endpoint"] as? String == "https://i18n.example.com/api/auth/mcp/authorize")
            #expect(object["token_endpoint"] as? String == "https://i18n.example.com/api/auth/mcp/token")
            #expect(object["registration_endpoint"] as? String == "https://i18n.example.com/api/auth/mcp/register")
            #expect(object["revocation_endpoint"] as? String == "https://i18n.example.com/api/auth/mcp/revoke")
            #expect(object["introspection_endpoint"] as? String == "https://i18n.example.com/api/auth/mcp/introspect")
            #expect(object["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect(object["response_types_supported"] as? [String] == ["code"])
            #expect(object["grant_types_supported"] as? [String] == ["authorization_code", "refresh_token"])
            #expect(object["token_endpoint_auth_methods_supported"] as? [String] == ["client_secret_basic", "client_secret_post", "none"])
            #expect(object["authorization_response_iss_parameter_supported"] as? Bool == true)
            #expect(object["scopes_supported"] as? [String] == Scope.allCases.map(\.rawValue))
        }
    }

    @Test func unknownClientGetsAnErrorPageAndIsNeverRedirected() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let pkce = PKCEPair()
            for clientID in [ClientID.generate().rawValue, "garbage"] {
                let uri = OAuthDriver.authorizeQuery(clientID: clientID, challenge: pkce.challenge)
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest)
                #expect(response.headers[.location] == nil)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            }
        }
    }

    @Test(arguments: ["https://evil.example.com/callback", "https://partner.example.com/callback/other", "https://partner.example.com/callback#x", ""])
    func unregisteredRedirectURIIsNeverRedirectedTo(redirectURI: String) async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let uri = OAuthDriver.authorizeQuery(clientID: world.web.id.rawValue, redirectURI: redirectURI, challenge: PKCEPair().challenge)
            let response = try await client.execute(uri: uri, method: .get)
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
        }
    }

    @Test func loopbackRedirectURIMatchesAnyPort() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await driver.consentPage(clientID: world.native.id.rawValue, redirectURI: "http://127.0.0.1:53117/callback", pkce: PKCEPair())
            #expect(page.status == .ok)
            let otherPath = try await driver.consentPage(clientID: world.native.id.rawValue, redirectURI: "http://127.0.0.1:53117/other", pkce: PKCEPair())
            #expect(otherPath.status == .badRequest)
        }
    }

    /// After client and redirect URI are trusted, errors go back with `state` and `iss`.
    @Test(arguments: [
        ([("code_challenge_method", "plain")], "invalid_request"),
        ([("scope", "org:read teleport")], "invalid_scope"),
        ([("resource", "https://elsewhere.example.com")], "invalid_target"),
        ([("state", "second")], "invalid_request"),
    ] as [([(String, String)], String)])
    func errorsAfterTrustRedirectWithStateAndIss(extra: [(String, String)], expected: String) async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            var pairs: [(String, String)] = [
                ("response_type", "code"), ("client_id", world.web.id.rawValue), ("redirect_uri", OAuthWorld.redirect),
                ("state", "xyz"), ("code_challenge", PKCEPair().challenge),
            ]
            if !extra.contains(where: { $0.0 == "code_challenge_method" }) { pairs.append(("code_challenge_method", "S256")) }
            let response = try await client.execute(uri: "/api/auth/mcp/authorize?" + FormEncoding.encode(pairs + extra), method: .get)
            #expect(response.status == .seeOther)
            let redirect = Redirect(try #require(response.headers[.location]))
            #expect(redirect.base == OAuthWorld.redirect)
            #expect(redirect["error"] == expected)
            #expect(redirect["state"] == "xyz")
            #expect(redirect["iss"] == world.issuer)
            #expect(redirect["code"] == nil)
        }
    }

    /// SPEC §5.3 item 2, RFC 9700 §4.11.2: a self-registered (unverified) client's bad request is
    /// an HTML error page, never a redirect, signed in or not — the open-redirect probe
    /// `response_type=token` to a redirect URI registered a moment before answers 400.
    @Test func anUnverifiedClientsBadRequestIsShownNotRedirected() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let registered = try await client.execute(
                uri: "/api/auth/mcp/register", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: [
                    "client_name": "Totally Legit", "redirect_uris": ["https://evil.example/cb"], "token_endpoint_auth_method": "none",
                ]))
            )
            #expect(registered.status == .created)
            let clientID = try #require(try JSONSerialization.jsonObject(with: Data(registered.body.readableBytesView)) as? [String: Any])["client_id"] as! String
            let probes: [[(String, String)]] = [
                [("response_type", "token"), ("client_id", clientID), ("redirect_uri", "https://evil.example/cb")],
                [("response_type", "code"), ("client_id", clientID), ("redirect_uri", "https://evil.example/cb"), ("scope", "teleport")],
                [("response_type", "code"), ("client_id", clientID), ("redirect_uri", "https://evil.example/cb"), ("state", "a"), ("state", "b")],
            ]
            let driver = OAuthDriver(client: client, world: world)
            for signedIn in [false, true] {
                if signedIn { try await driver.signIn() }
                for probe in probes {
                    let response = try await client.browse("/api/auth/mcp/authorize?" + FormEncoding.encode(probe), jar: driver.jar)
                    #expect(response.status == .badRequest)
                    #expect(response.headers[.location] == nil)
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                }
            }
            // A good request still reaches the consent page, and a denial there (the user saw the
            // app and its redirect host) goes back to the app.
            let page = try await driver.consentPage(clientID: clientID, redirectURI: "https://evil.example/cb", pkce: PKCEPair())
            #expect(page.status == .ok)
            let denied = try await driver.submitConsent(page, decision: "deny")
            #expect(Redirect(try #require(denied.headers[.location]))["error"] == "access_denied")
        }
    }

    @Test func missingChallengeAndWrongResponseTypeAreRefused() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let noChallenge = "/api/auth/mcp/authorize?" + FormEncoding.encode([
                ("response_type", "code"), ("client_id", world.web.id.rawValue), ("redirect_uri", OAuthWorld.redirect), ("state", "s"),
            ])
            let first = Redirect(try #require(try await client.execute(uri: noChallenge, method: .get).headers[.location]))
            #expect(first["error"] == "invalid_request")
            let token = "/api/auth/mcp/authorize?" + FormEncoding.encode([
                ("response_type", "token"), ("client_id", world.web.id.rawValue), ("redirect_uri", OAuthWorld.redirect),
                ("code_challenge", PKCEPair().challenge), ("code_challenge_method", "S256"),
            ])
            let second = Redirect(try #require(try await client.execute(uri: token, method: .get).headers[.location]))
            #expect(second["error"] == "unsupported_response_type")
        }
    }

    @Test func signedOutUsersGoToSignInAndComeBack() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let pkce = PKCEPair()
            let first = try await driver.consentPage(pkce: pkce)
            #expect(first.status == .seeOther)
            let login = try #require(first.headers[.location])
            #expect(login.hasPrefix("/login?return_to="))
            let returnTo = try #require(Redirect(login)["return_to"])
            #expect(returnTo.hasPrefix("/api/auth/mcp/authorize?"))
            let page = try await client.browse(login, jar: driver.jar)
            #expect(page.hiddenField("return_to") == returnTo)
            #expect(page.text.contains("continue to <strong>Partner Sync</strong>"), "the sign-in page names the app")
            let signedIn = try await client.browse("/login", method: .post, form: [
                ("csrf_token", try #require(page.hiddenField("csrf_token"))), ("return_to", returnTo),
                ("email", world.owner.email.value), ("password", world.password),
            ], jar: driver.jar)
            #expect(signedIn.headers[.location] == returnTo)
            let consent = try await client.browse(returnTo, jar: driver.jar)
            #expect(consent.status == .ok)
            #expect(consent.text.contains("<form id=\"consent\""))
        }
    }

    @Test func consentPageFollowsTheFormContract() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await driver.consentPage(pkce: PKCEPair(), scope: "org:read projects:read translations:write translations:publish")
            let html = page.text
            #expect(html.contains(#"<form id="consent" method="post" action="/api/auth/mcp/authorize">"#))
            #expect(page.hiddenField("request_id")?.count == 32)
            #expect(page.hiddenField("csrf_token")?.isEmpty == false)
            #expect(html.contains(#"<select id="organization_id" name="organization_id">"#))
            #expect(html.contains(#"value="\#(world.organization.id.rawValue)""#))
            #expect(html.contains(#"<input type="radio" name="project_access" value="all""#))
            #expect(html.contains(#"<input type="radio" name="project_access" value="selected""#))
            for project in world.projects {
                #expect(html.contains(#"<input type="checkbox" name="project_ids" value="\#(project.id.rawValue)""#))
            }
            // Requested scopes only; default-on checked, default-off unchecked with a warning.
            #expect(page.checkedScopes == ["org:read", "projects:read", "translations:write"])
            #expect(html.contains(#"name="scope" value="translations:publish">"#))
            #expect(html.contains("visible to everyone on the CDN"))
            #expect(!html.contains(#"value="keys:read""#))
            #expect(html.contains(#"<button type="submit" name="decision" value="approve""#))
            #expect(html.contains(#"<button type="submit" name="decision" value="deny""#))
            #expect(html.contains("partner.example.com"))
            #expect(page.headers[HTTPFields.Element.Name("X-Frame-Options")!] == "DENY")
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        }
    }

    @Test func omittedScopeMeansTheDefaultOnScopes() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await driver.consentPage(pkce: PKCEPair())
            #expect(Set(page.checkedScopes) == Set(Scope.defaultOn.map(\.rawValue)))
            #expect(!page.text.contains(#"value="translations:publish""#))
        }
    }

    @Test func clientNamesWithMarkupAreEscapedAndUnverifiedAppsAreMarked() async throws {
        let world = try await OAuthWorld()
        let (evil, _) = try await world.server.dependencies.oauth.clients.register(
            name: "<script>alert('x')</script>", type: "native", redirectURIs: [OAuthWorld.loopback], owner: nil,
            verified: false, actor: "test"
        )
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await driver.consentPage(clientID: evil.id.rawValue, redirectURI: OAuthWorld.loopback, pkce: PKCEPair())
            #expect(!page.text.contains("<script>"))
            #expect(page.text.contains("&lt;script&gt;"))
            #expect(page.text.contains("Unverified app"))
            let verified = try await driver.consentPage(pkce: PKCEPair())
            #expect(!verified.text.contains("Unverified app"))
        }
    }

    @Test func approvalRedirectsWithCodeStateAndIss() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await driver.consentPage(pkce: PKCEPair())
            let response = try await driver.submitConsent(page)
            #expect(response.status == .seeOther)
            let redirect = Redirect(try #require(response.headers[.location]))
            #expect(redirect.base == OAuthWorld.redirect)
            #expect(SecretFormatCheck(try #require(redirect["code"])) == .valid(.authorizationCode))
            #expect(redirect["state"] == "xyz")
            #expect(redirect["iss"] == world.issuer)
        }
    }

    @Test func denialRedirectsWithAccessDenied() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let response = try await driver.submitConsent(try await driver.consentPage(pkce: PKCEPair()), decision: "deny")
            let redirect = Redirect(try #require(response.headers[.location]))
            #expect(redirect["error"] == "access_denied")
            #expect(redirect["state"] == "xyz")
            #expect(redirect["code"] == nil)
        }
        #expect(try await world.storage.grantListings(organizations: [world.organization.id]).isEmpty)
    }

    @Test func approvingNoScopeShowsThePageAgainAndKeepsTheRequest() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await driver.consentPage(pkce: PKCEPair())
            let again = try await driver.submitConsent(page, scopes: [])
            #expect(again.status == .badRequest)
            #expect(again.text.contains("Choose at least one permission"))
            #expect(again.hiddenField("request_id") == page.hiddenField("request_id"))
            let noProjects = try await driver.submitConsent(page, projectAccess: "selected", projectIDs: [])
            #expect(noProjects.status == .badRequest)
            let approved = try await driver.submitConsent(page)
            #expect(approved.status == .seeOther)
        }
    }

    @Test func consentWithoutAValidCSRFTokenDoesNothing() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await driver.consentPage(pkce: PKCEPair())
            let forged = try await driver.submitConsent(page, csrf: "forged")
            #expect(forged.status == .forbidden)
            #expect(forged.headers[.location] == nil)
            // The request is still pending: the real form still works.
            #expect(try await driver.submitConsent(page).status == .seeOther)
        }
        #expect(try await world.storage.grantListings(organizations: [world.organization.id]).count == 1)
    }

    @Test func anotherUsersRequestIDDoesNothing() async throws {
        let world = try await OAuthWorld()
        let other = try await world.server.fixture.admin.createUser(email: Unique.email(), name: "Mallory", password: world.password)
        let otherOrg = try await world.server.fixture.admin.createOrganization(slug: Unique.slug(), name: "M", ownerEmail: other.email.value)
        try await world.test { client in
            let victim = OAuthDriver(client: client, world: world)
            try await victim.signIn()
            let page = try await victim.consentPage(pkce: PKCEPair())
            let attacker = OAuthDriver(client: client, world: world)
            try await attacker.signIn(as: other.email.value, password: world.password)
            let attackerPage = try await attacker.consentPage(pkce: PKCEPair())
            let response = try await client.browse("/api/auth/mcp/authorize", method: .post, form: [
                ("request_id", try #require(page.hiddenField("request_id"))),
                ("csrf_token", try #require(attackerPage.hiddenField("csrf_token"))),
                ("organization_id", otherOrg.id.rawValue), ("project_access", "all"), ("decision", "approve"), ("scope", "org:read"),
            ], jar: attacker.jar)
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
        }
        #expect(try await world.storage.grantListings(organizations: [otherOrg.id, world.organization.id]).isEmpty)
    }

    @Test func aRequestIDWorksOnceAndExpires() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn()
            let page = try await driver.consentPage(pkce: PKCEPair())
            #expect(try await driver.submitConsent(page).status == .seeOther)
            let reused = try await driver.submitConsent(page)
            #expect(reused.status == .badRequest)
            #expect(reused.headers[.location] == nil)
            let late = try await driver.consentPage(pkce: PKCEPair())
            world.clock.advance(by: 601)
            #expect(try await driver.submitConsent(late).status == .badRequest)
        }
    }

    @Test func onlyOwnersAndAdminsCanAuthorizeForAnOrganization() async throws {
        let world = try await OAuthWorld()
        let member = try await world.server.fixture.admin.createUser(email: Unique.email(), name: "Member", password: world.password)
        _ = try await world.server.fixture.admin.addMember(organizationSlug: world.organization.slug.value, email: member.email.value, role: "member")
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            try await driver.signIn(as: member.email.value, password: world.password)
            let page = try await driver.consentPage(pkce: PKCEPair())
            #expect(page.status == .ok)
            #expect(!page.text.contains(world.organization.id.rawValue))
            #expect(page.text.contains("not an owner or admin"))
            let response = try await driver.submitConsent(page, scopes: ["org:read"])
            #expect(response.status == .badRequest)
        }
        #expect(try await world.storage.grantListings(organizations: [world.organization.id]).isEmpty)
    }

    @Test func theGrantIsUpsertedPerClientAndOrganizationAndNeverRevived() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let first = try await driver.tokens(scope: "org:read projects:read")
            let second = try await driver.tokens(scope: "org:read keys:read", projectAccess: "selected", projectIDs: [world.projects[1].id.rawValue])
            #expect(first.grant_id == second.grant_id)
            let grant = try #require(try await world.storage.grant(id: GrantID(unchecked: second.grant_id)))
            #expect(grant.scopes.description == "org:read keys:read")
            #expect(grant.projectIDs == [world.projects[1].id])
            _ = try await world.server.dependencies.oauth.grants.revoke(grant.id, actor: "test", reason: .admin)
            let third = try await driver.tokens(scope: "org:read")
            #expect(third.grant_id != first.grant_id)
            #expect(try await world.storage.grant(id: grant.id)?.isRevoked == true)
        }
        let events = try await world.storage.auditEvents(organization: world.organization.id, limit: 10).map(\.kind)
        #expect(events.filter { $0 == .grantCreated }.count == 2)
        #expect(events.contains(.grantUpdated))
        #expect(events.contains(.grantRevoked))
    }

    @Test func selectedProjectsOutsideTheOrganizationAreIgnored() async throws {
        let world = try await OAuthWorld()
        let foreign = ProjectID.generate()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let body = try await driver.tokens(projectAccess: "selected", projectIDs: [world.projects[0].id.rawValue, foreign.rawValue])
            let grant = try #require(try await world.storage.grant(id: GrantID(unchecked: body.grant_id)))
            #expect(grant.projectIDs == [world.projects[0].id])
        }
    }
}
