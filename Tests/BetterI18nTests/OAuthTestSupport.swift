import BetterI18nCore
import BetterI18nOAuth
import BetterI18nStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// A server with a signed-up owner, an organization with two projects, and a confidential and a
/// public client — the cast of every OAuth test.
struct OAuthWorld {
    let server: TestServer
    let owner: User
    let organization: Organization
    let projects: [Project]
    let web: OAuthClient
    let webSecret: String
    let native: OAuthClient
    let password = "correct horse battery"
    static let redirect = "https://partner.example.com/callback"
    static let loopback = "http://127.0.0.1/callback"

    init(backend: Backend = .sqlite, logger: Logger = .quiet, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws {
        server = try await TestServer(backend: backend, logger: logger, configure: configure)
        let admin = server.fixture.admin
        let (user, organization, project) = try await server.fixture.seedOrganization()
        let (second, _) = try await admin.createProject(
            organizationSlug: organization.slug.value, slug: "mobile", name: "Mobile", sourceLanguage: "en", languages: []
        )
        owner = user
        self.organization = organization
        projects = [project, second]
        let (web, secret) = try await admin.createClient(
            name: "Partner Sync", type: "web", redirectURIs: [Self.redirect], ownerEmail: nil
        )
        self.web = web
        webSecret = try #require(secret).value
        native = try await admin.createClient(name: "CLI", type: "native", redirectURIs: [Self.loopback], ownerEmail: nil).client
    }

    var clock: ManualWallClock { server.fixture.clock }
    var databasePath: String? { server.fixture.databasePath }
    var storage: SQLStorage { server.fixture.storage }
    var issuer: String { server.dependencies.configuration.publicURL.absoluteString }

    func test<Value>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await server.test(body)
    }

    /// One English value in the first project, so a publish has a file to serve (a language
    /// with no published value has none).
    func seedValue() async throws {
        let now = clock.now()
        let key = TranslationKey(id: .generate(), projectID: projects[0].id, namespace: .default, name: try KeyName("hello"),
                                 description: nil, createdAt: now, updatedAt: now)
        try await storage.createKeys([key], translations: [
            Translation(keyID: key.id, language: try LanguageCode("en"), value: "Hello", updatedBy: nil, updatedAt: now),
        ])
    }
}

/// A PKCE pair.
struct PKCEPair {
    let verifier: String
    let challenge: String

    init() {
        verifier = Base62.random(count: 64, from: SystemRandomSource())
        challenge = PKCE.s256(verifier)
    }
}

/// Drives a browser through sign-in and consent, and a client through the token endpoint.
struct OAuthDriver {
    let client: any TestClientProtocol
    let world: OAuthWorld
    let jar = CookieJar()

    func signIn(as email: String? = nil, password: String? = nil) async throws {
        let page = try await client.browse("/login", jar: jar)
        let response = try await client.browse("/login", method: .post, form: [
            ("csrf_token", try #require(page.hiddenField("csrf_token"))), ("return_to", "/"),
            ("email", email ?? world.owner.email.value), ("password", password ?? world.password),
        ], jar: jar)
        #expect(response.status == .seeOther)
    }

    static func authorizeQuery(
        clientID: String, redirectURI: String = OAuthWorld.redirect, challenge: String, scope: String? = nil,
        state: String = "xyz", extra: [(String, String)] = []
    ) -> String {
        "/api/auth/mcp/authorize?" + FormEncoding.encode(authorizePairs(
            clientID: clientID, redirectURI: redirectURI, challenge: challenge, scope: scope, state: state, extra: extra
        ))
    }

    static func authorizePairs(
        clientID: String, redirectURI: String, challenge: String, scope: String?, state: String = "xyz", extra: [(String, String)] = []
    ) -> [(String, String)] {
        var pairs: [(String, String)] = [
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI),
            ("state", state), ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ]
        if let scope { pairs.append(("scope", scope)) }
        return pairs + extra
    }

    /// Opens the consent page for a fresh request.
    func consentPage(
        clientID: String? = nil, redirectURI: String = OAuthWorld.redirect, pkce: PKCEPair, scope: String? = nil,
        extra: [(String, String)] = []
    ) async throws -> TestResponse {
        let uri = Self.authorizeQuery(
            clientID: clientID ?? world.web.id.rawValue, redirectURI: redirectURI, challenge: pkce.challenge, scope: scope, extra: extra
        )
        return try await client.browse(uri, jar: jar)
    }

    /// Submits the consent form; by default approves every requested default-on scope for all projects.
    func submitConsent(
        _ page: TestResponse, decision: String = "approve", organizationID: String? = nil, projectAccess: String = "all",
        projectIDs: [String] = [], scopes: [String]? = nil, csrf: String? = nil
    ) async throws -> TestResponse {
        let checked = scopes ?? page.checkedScopes
        let requestID = try #require(page.hiddenField("request_id"))
        let pageCSRF = try #require(page.hiddenField("csrf_token"))
        var form: [(String, String)] = [
            ("request_id", requestID),
            ("csrf_token", csrf ?? pageCSRF),
            ("organization_id", organizationID ?? world.organization.id.rawValue),
            ("project_access", projectAccess), ("decision", decision),
        ]
        form += projectIDs.map { ("project_ids", $0) }
        form += checked.map { ("scope", $0) }
        return try await client.browse("/api/auth/mcp/authorize", method: .post, form: form, jar: jar)
    }

    /// Sign-in (once), consent and approval; returns the code from the redirect.
    func authorize(
        clientID: String? = nil, redirectURI: String = OAuthWorld.redirect, pkce: PKCEPair, scope: String? = nil,
        projectAccess: String = "all", projectIDs: [String] = [], extra: [(String, String)] = [], approving: [String]? = nil
    ) async throws -> String {
        if jar["bi_session"] == nil { try await signIn() }
        let page = try await consentPage(clientID: clientID, redirectURI: redirectURI, pkce: pkce, scope: scope, extra: extra)
        #expect(page.status == .ok)
        let response = try await submitConsent(page, projectAccess: projectAccess, projectIDs: projectIDs, scopes: approving)
        #expect(response.status == .seeOther)
        let location = try #require(response.headers[.location])
        return try #require(Redirect(location)["code"])
    }

    /// An authorization code issued through the authorization server's services — validation,
    /// consent and approval as the owner — without the browser round trip: for tests of what
    /// happens after the code (the token endpoint), where the consent page is not the subject.
    func code(
        clientID: String? = nil, redirectURI: String = OAuthWorld.redirect, pkce: PKCEPair, scope: String? = nil,
        projectAccess: String = "all", projectIDs: [String] = [], extra: [(String, String)] = [], approving: [String]? = nil
    ) async throws -> String {
        let pairs = Self.authorizePairs(
            clientID: clientID ?? world.web.id.rawValue, redirectURI: redirectURI, challenge: pkce.challenge, scope: scope, extra: extra
        ).map { (name: $0.0, value: $0.1) }
        let oauth = world.server.dependencies.oauth
        guard case .valid(let authorization) = try await oauth.validator.validate(OAuthParameters(pairs)) else {
            Issue.record("the authorization request was refused")
            throw CancellationError()
        }
        let screen = try await oauth.consent.prepare(authorization, user: world.owner)
        let decision = ConsentDecision(
            requestID: screen.pending.id, approve: true, organizationID: world.organization.id.rawValue, projectAccess: projectAccess,
            projectIDs: projectIDs, scopes: approving ?? Scope.defaultOn.filter { screen.pending.scopes.contains($0) }.map(\.rawValue)
        )
        guard case .redirect(let location) = try await oauth.consent.decide(decision, user: world.owner) else {
            Issue.record("the consent was not accepted")
            throw CancellationError()
        }
        return try #require(Redirect(location)["code"])
    }

    /// POSTs a form to the token endpoint (or another OAuth endpoint) with optional Basic auth.
    func post(_ form: [(String, String)], to path: String = "/api/auth/mcp/token", basic: (String, String)? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let (id, secret) = basic {
            headers[.authorization] = "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
        }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: FormEncoding.encode(form)))
    }

    /// Exchanges a code as the confidential web client (Basic auth).
    func exchange(_ code: String, pkce: PKCEPair, redirectURI: String = OAuthWorld.redirect, extra: [(String, String)] = []) async throws -> TestResponse {
        try await post([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", pkce.verifier),
        ] + extra, basic: (world.web.id.rawValue, world.webSecret))
    }

    func refresh(_ token: String, extra: [(String, String)] = []) async throws -> TestResponse {
        try await post([("grant_type", "refresh_token"), ("refresh_token", token)] + extra, basic: (world.web.id.rawValue, world.webSecret))
    }

    /// Full flow for the web client; returns the token response body. The user approves every
    /// requested scope, default-off ones included (they are opted into explicitly).
    func tokens(scope: String? = nil, projectAccess: String = "all", projectIDs: [String] = []) async throws -> TokenBody {
        let pkce = PKCEPair()
        let code = try await self.code(pkce: pkce, scope: scope, projectAccess: projectAccess, projectIDs: projectIDs,
                                       approving: scope.map { $0.split(separator: " ").map(String.init) })
        let response = try await exchange(code, pkce: pkce)
        #expect(response.status == .ok)
        return try response.json(TokenBody.self)
    }

    func introspect(_ token: String) async throws -> IntrospectionBody {
        let response = try await post([("token", token)], to: "/api/auth/mcp/introspect", basic: (world.web.id.rawValue, world.webSecret))
        #expect(response.status == .ok)
        return try response.json(IntrospectionBody.self)
    }
}

struct TokenBody: Decodable {
    let access_token: String
    let token_type: String
    let expires_in: Int
    let refresh_token: String
    let scope: String
    let grant_id: String
    let organization_id: String
}

struct IntrospectionBody: Decodable {
    let active: Bool
    let token_type: String?
    let scope: String?
    let client_id: String?
    let exp: Int?
    let iat: Int?
    let grant_id: String?
    let organization_id: String?
    let project_ids: [String]?
}

struct ErrorBody: Decodable {
    let error: String
    let error_description: String?
}

/// The query of a redirect Location.
struct Redirect {
    let url: URLComponents

    init(_ location: String) {
        url = URLComponents(string: location) ?? URLComponents()
    }

    subscript(_ name: String) -> String? {
        url.queryItems?.first { $0.name == name }?.value
    }

    var base: String {
        var copy = url
        copy.query = nil
        return copy.string ?? ""
    }
}

extension TestResponse {
    func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body.readableBytesView))
    }

    var oauthError: String? { (try? json(ErrorBody.self))?.error }

    /// Scope checkboxes that are checked on a consent page.
    var checkedScopes: [String] {
        let html = text
        var scopes: [String] = []
        var rest = html[...]
        while let range = rest.range(of: "name=\"scope\" value=\"") {
            let after = rest[range.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            let value = String(after[..<end])
            let tagEnd = after.firstIndex(of: ">") ?? after.endIndex
            if after[..<tagEnd].contains("checked") { scopes.append(value) }
            rest = after[end...]
        }
        return scopes
    }
}
