import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §4 over HTTP: the sign-in form contract, sessions, CSRF, return_to, headers, throttling.
@Suite struct DashboardHTTPTests {
    let password = "correct horse battery"

    /// Loads the login page, then posts the form with the CSRF token it carries.
    private func signIn(
        _ client: any TestClientProtocol, jar: CookieJar, email: String, password: String, returnTo: String = "/"
    ) async throws -> TestResponse {
        let page = try await client.browse("/login", jar: jar)
        let csrf = try #require(page.hiddenField("csrf_token"))
        return try await client.browse("/login", method: .post, form: [
            ("csrf_token", csrf), ("return_to", returnTo), ("email", email), ("password", password),
        ], jar: jar)
    }

    @Test func loginPageFollowsTheFormContract() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let response = try await client.execute(uri: "/login?return_to=%2Fsettings%2Fapps", method: .get)
            #expect(response.status == .ok)
            let html = response.text
            #expect(html.contains("<form id=\"login\" method=\"post\" action=\"/login\">"))
            #expect(html.contains("name=\"email\""))
            #expect(html.contains("name=\"password\""))
            #expect(response.hiddenField("csrf_token")?.isEmpty == false)
            #expect(response.hiddenField("return_to") == "/settings/apps")
        }
    }

    @Test func everyHTMLResponseCarriesTheSecurityHeaders() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let response = try await client.execute(uri: "/login", method: .get)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(response.headers[HTTPFields.Element.Name("X-Frame-Options")!] == "DENY")
            #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            #expect(response.headers[HTTPFields.Element.Name("Referrer-Policy")!] == "no-referrer")
        }
    }

    @Test func signInThroughTheFormSetsASessionCookieAndShowsHome() async throws {
        let server = try await TestServer()
        let (user, organization, project) = try await server.fixture.seedOrganization()
        try await server.test { client in
            let jar = CookieJar()
            let response = try await signIn(client, jar: jar, email: user.email.value, password: password)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
            let cookie = try #require(response.setCookie(named: "bi_session"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"), "http public URL: no Secure flag")
            let home = try await client.browse("/", jar: jar)
            #expect(home.status == .ok)
            #expect(home.text.contains(organization.name))
            #expect(home.text.contains(project.name))
            #expect(home.text.contains(user.name))
        }
    }

    @Test func sessionCookieIsSecureWhenThePublicURLIsHTTPS() async throws {
        let server = try await TestServer { $0.publicURL = URL(string: "https://i18n.example.com")! }
        let (user, _, _) = try await server.fixture.seedOrganization()
        try await server.test { client in
            let response = try await signIn(client, jar: CookieJar(), email: user.email.value, password: password)
            #expect(response.setCookie(named: "bi_session")?.contains("Secure") == true)
        }
    }

    @Test func wrongPasswordAndUnknownEmailGetOneMessageAnd401() async throws {
        let server = try await TestServer()
        let (user, _, _) = try await server.fixture.seedOrganization()
        try await server.test { client in
            let wrong = try await signIn(client, jar: CookieJar(), email: user.email.value, password: "wrong password")
            let unknown = try await signIn(client, jar: CookieJar(), email: Unique.email(), password: password)
            for response in [wrong, unknown] {
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("Incorrect email or password."))
                #expect(response.text.contains("<form id=\"login\""))
                #expect(response.setCookie(named: "bi_session") == nil)
            }
        }
    }

    @Test func signInWithoutAValidCSRFTokenIsRefused() async throws {
        let server = try await TestServer()
        let (user, _, _) = try await server.fixture.seedOrganization()
        try await server.test { client in
            let jar = CookieJar()
            _ = try await client.browse("/login", jar: jar)
            let forged = try await client.browse("/login", method: .post, form: [
                ("csrf_token", "forged"), ("return_to", "/"), ("email", user.email.value), ("password", password),
            ], jar: jar)
            #expect(forged.status == .forbidden)
            #expect(forged.setCookie(named: "bi_session") == nil)
            // A token from another browser's cookie does not fit this browser's cookie either.
            let other = try await client.browse("/login", jar: CookieJar())
            let crossed = try await client.browse("/login", method: .post, form: [
                ("csrf_token", try #require(other.hiddenField("csrf_token"))), ("return_to", "/"),
                ("email", user.email.value), ("password", password),
            ], jar: jar)
            #expect(crossed.status == .forbidden)
        }
    }

    @Test(arguments: ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "http:/x"])
    func returnToRefusesAnythingButALocalPath(returnTo: String) async throws {
        let server = try await TestServer()
        let (user, _, _) = try await server.fixture.seedOrganization()
        try await server.test { client in
            let response = try await signIn(client, jar: CookieJar(), email: user.email.value, password: password, returnTo: returnTo)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
        }
    }

    @Test func returnToALocalPathIsHonoured() async throws {
        let server = try await TestServer()
        let (user, _, _) = try await server.fixture.seedOrganization()
        try await server.test { client in
            let target = "/api/auth/mcp/authorize?client_id=bic_x&state=a%20b"
            let response = try await signIn(client, jar: CookieJar(), email: user.email.value, password: password, returnTo: target)
            #expect(response.headers[.location] == target)
        }
    }

    @Test func homeRequiresSignIn() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/login?return_to=%2F")
        }
    }

    @Test func signOutNeedsTheSessionsCSRFTokenAndEndsTheSession() async throws {
        let server = try await TestServer()
        let (user, _, _) = try await server.fixture.seedOrganization()
        try await server.test { client in
            let jar = CookieJar()
            _ = try await signIn(client, jar: jar, email: user.email.value, password: password)
            let home = try await client.browse("/", jar: jar)
            let csrf = try #require(home.hiddenField("csrf_token"))
            let forged = try await client.browse("/logout", method: .post, form: [("csrf_token", "nope")], jar: jar)
            #expect(forged.status == .forbidden)
            #expect(try await client.browse("/", jar: jar).status == .ok, "a refused sign-out leaves the session alone")
            let sessionCookie = try #require(jar["bi_session"])
            let out = try await client.browse("/logout", method: .post, form: [("csrf_token", csrf)], jar: jar)
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/login")
            // Even if the browser kept the old cookie, the server no longer knows the session.
            jar["bi_session"] = sessionCookie
            #expect(try await client.browse("/", jar: jar).status == .seeOther)
        }
    }

    @Test func signInRenewsTheSession() async throws {
        let server = try await TestServer()
        let (user, _, _) = try await server.fixture.seedOrganization()
        try await server.test { client in
            let jar = CookieJar()
            _ = try await signIn(client, jar: jar, email: user.email.value, password: password)
            let first = try #require(jar["bi_session"])
            _ = try await signIn(client, jar: jar, email: user.email.value, password: password)
            let second = try #require(jar["bi_session"])
            #expect(first != second)
            jar["bi_session"] = first
            #expect(try await client.browse("/", jar: jar).status == .seeOther, "the previous session was ended")
        }
    }

    @Test func repeatedFailuresAreThrottledWithRetryAfter() async throws {
        let server = try await TestServer()
        let (user, _, _) = try await server.fixture.seedOrganization()
        try await server.test { client in
            for _ in 0..<10 {
                let response = try await signIn(client, jar: CookieJar(), email: user.email.value, password: "wrong password")
                #expect(response.status == .unauthorized)
            }
            let throttled = try await signIn(client, jar: CookieJar(), email: user.email.value, password: password)
            #expect(throttled.status == .tooManyRequests)
            let retryAfter = try #require(throttled.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter > 0 && retryAfter <= 60)
            #expect(throttled.setCookie(named: "bi_session") == nil)
            server.fixture.clock.advance(by: 61)
            let later = try await signIn(client, jar: CookieJar(), email: user.email.value, password: password)
            #expect(later.status == .seeOther)
        }
    }

    @Test func userSuppliedStringsAreEscaped() async throws {
        let server = try await TestServer()
        let user = try await server.fixture.admin.createUser(email: Unique.email(), name: "<script>alert(1)</script>", password: password)
        _ = try await server.fixture.admin.createOrganization(slug: Unique.slug(), name: "Org \"><img src=x>", ownerEmail: user.email.value)
        try await server.test { client in
            let jar = CookieJar()
            _ = try await signIn(client, jar: jar, email: user.email.value, password: password)
            let home = try await client.browse("/", jar: jar).text
            #expect(!home.contains("<script>alert(1)</script>"))
            #expect(home.contains("&lt;script&gt;"))
            #expect(!home.contains("\"><img src=x>"))
        }
    }

    @Test func formsMustBeFormEncoded() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let response = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")
            )
            #expect(response.status == .unsupportedMediaType)
        }
    }
}

/// SPEC §2 operations endpoints.
@Suite struct OperationsHTTPTests {
    @Test func healthzAnswers200WhenTheDatabaseAnswers() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == #"{"status":"ok"}"#)
        }
    }

    @Test func healthzAnswers503WhenTheDatabaseIsGone() async throws {
        let server = try await TestServer()
        try await server.fixture.storage.close()
        try await server.test { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .serviceUnavailable)
        }
    }

    @Test func metricsArePrometheusTextCountingRequests() async throws {
        let server = try await TestServer()
        try await server.test { client in
            _ = try await client.execute(uri: "/healthz", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(response.text.contains("better_i18n_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"))
        }
    }

    @Test func unknownRoutesAreJSON404() async throws {
        let server = try await TestServer()
        try await server.test { client in
            let response = try await client.execute(uri: "/no/such/thing", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.text.contains("\"error\":\"not_found\""))
        }
    }
}
