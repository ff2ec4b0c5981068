import BetterI18nAPI
import BetterI18nClient
import BetterI18nCore
import BetterI18nHTTP
import BetterI18nMCP
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// `BetterI18nClient` (SPEC §13) against the real server, in process on a live socket: the
/// client's own AsyncHTTPClient transport, the server's own clock injected into the client, so
/// expiry and `Retry-After` move with `ManualWallClock.advance` and nothing sleeps.
@Suite struct ClientTests {
    static let scopes = ["org:read", "projects:read", "keys:read", "keys:write", "translations:read", "translations:write",
                         "translations:publish"]

    @Test func partnerAppGoesFromConsentToTheCDN() async throws {
        try await Live.run { live in
            let tokens = try await live.connect()
            #expect(tokens.scope.split(separator: " ").contains("translations:publish"))
            #expect(await live.store.load(grantID: tokens.grantID) == tokens.refreshToken)
            let cache = InstallationTokenCache(oauth: live.oauth, store: live.store)
            await cache.remember(tokens)
            let api = cache.partner(grantID: tokens.grantID)
            let project = live.world.projects[0].id.rawValue
            for printed in [String(describing: tokens), String(describing: live.oauth.credentials), String(describing: api)] {
                #expect(!printed.contains(tokens.accessToken) && !printed.contains(tokens.refreshToken) && !printed.contains(live.world.webSecret))
            }

            let keys = try await api.listKeys(projectID: project)
            #expect(keys.items.map(\.name) == ["hello"])
            #expect(keys.nextCursor == nil)
            let created = try await api.createKeys(projectID: project, [BetterI18nAPI.NewKey(name: "login.title", namespace: "auth")])
            #expect(created.created.map(\.name) == ["login.title"])
            let updated = try await api.setTranslations(projectID: project, [
                BetterI18nAPI.TranslationValue(keyID: keys.items[0].id, language: "en", value: "Hello there"),
                BetterI18nAPI.TranslationValue(key: "login.title", namespace: "auth", language: "en", value: "Sign in"),
                BetterI18nAPI.TranslationValue(key: "login.title", namespace: "auth", language: "de", value: "Anmelden"),
            ])
            #expect(updated.updated == 3)
            let pending = try await api.pendingChanges(projectID: project)
            #expect(pending.languages["de"]?.added == ["auth:login.title"])
            let release = try await api.publish(projectID: project)
            #expect(release.version == 1)
            #expect(try await api.listReleases(projectID: project).items.map(\.id) == [release.id])
            #expect(await cache.mintCount == 1)
            #expect(live.transport.count("/tokens") == 1)

            let cdn = CDNReader(client: live.sdk, organization: live.world.organization.slug.value, project: live.world.projects[0].slug.value)
            let manifest = try await cdn.manifest()
            #expect(manifest.value.version == release.version)
            #expect(Set(manifest.value.files.keys) == ["en", "de"])
            let english = try await cdn.messages(locale: "en")
            #expect(english.value.message("auth.login.title") == "Sign in")
            #expect(english.value.message("default.hello") == "Hello there")
            let german = try await cdn.namespace("auth", locale: "de")
            #expect(german.value.message("login.title") == "Anmelden")
            let batch = try await cdn.batch(["default", "auth"], locale: "en")
            #expect(batch.value.message("auth.login.title") == "Sign in" && batch.value.message("default.hello") == "Hello there")
        }
    }

    @Test func cdnReaderRevalidatesWithIfNoneMatch() async throws {
        try await Live.run { live in
            _ = try await live.world.server.dependencies.releases.publish(live.world.projects[0], languages: nil, by: .operator)
            let cdn = CDNReader(client: live.sdk, organization: live.world.organization.slug.value, project: live.world.projects[0].slug.value)
            let first = try await cdn.messages(locale: "en")
            #expect(!first.notModified && first.etag != nil)
            let second = try await cdn.messages(locale: "en")
            #expect(second.notModified, "the remembered ETag is sent and the server answers 304")
            #expect(second.value == first.value && second.etag == first.etag)
            #expect(second.value.message("default.hello") == "Hello")
            let manifest = try await cdn.manifest()
            #expect(try await cdn.manifest().notModified && !manifest.notModified)
            await #expect(throws: BetterI18nError.notFound) { try await cdn.messages(locale: "fr") }
        }
    }

    @Test func refreshRotationReachesTheStoreAndTheOldTokenIsRefused() async throws {
        try await Live.run { live in
            let tokens = try await live.connect()
            let refreshed = try await live.oauth.refresh(grantID: tokens.grantID, store: live.store)
            #expect(refreshed.refreshToken != tokens.refreshToken)
            #expect(await live.store.load(grantID: tokens.grantID) == refreshed.refreshToken)
            #expect(await live.store.saves == [tokens.grantID, tokens.grantID])

            // The cache refreshes by itself once the access token has expired, through the store again.
            let cache = InstallationTokenCache(oauth: live.oauth, store: live.store)
            live.world.clock.advance(by: 1800)
            _ = try await cache.partner(grantID: tokens.grantID).listOrganizations()
            let third = try #require(await live.store.load(grantID: tokens.grantID))
            #expect(third != refreshed.refreshToken)
            #expect(await live.store.saves.count == 3)

            // The first refresh token died at the first rotation.
            let stale = InMemoryRefreshTokenStore()
            await stale.save(tokens.refreshToken, grantID: tokens.grantID)
            do {
                _ = try await live.oauth.refresh(grantID: tokens.grantID, store: stale)
                Issue.record("a rotated refresh token was accepted")
            } catch BetterI18nError.invalidGrant {
            }
            #expect(await stale.saves.count == 1, "nothing new was handed out")
        }
    }

    @Test func twentyConcurrentCallersCauseOneMint() async throws {
        try await Live.run { live in
            let tokens = try await live.connect()
            let cache = InstallationTokenCache(oauth: live.oauth, store: live.store)
            await cache.remember(tokens)
            let api = cache.partner(grantID: tokens.grantID)
            let organizations = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await api.listOrganizations().items[0].id } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(organizations == Array(repeating: live.world.organization.id.rawValue, count: 20))
            #expect(live.transport.count("/tokens") == 1)
            #expect(await cache.mintCount == 1)
            let minted = try await live.world.storage.auditEvents(organization: live.world.organization.id, limit: 100)
                .filter { $0.kind == .installationTokenMinted }
            #expect(minted.count == 1)
        }
    }

    @Test func installationTokenIsMintedAgainAMinuteBeforeExpiry() async throws {
        try await Live.run { live in
            let tokens = try await live.connect()
            let cache = InstallationTokenCache(oauth: live.oauth, store: live.store)
            await cache.remember(tokens)
            let first = try await cache.token(for: tokens.grantID)
            live.world.clock.advance(by: 3600 - 61)
            #expect(try await cache.token(for: tokens.grantID) == first)
            live.world.clock.advance(by: 2)
            let second = try await cache.token(for: tokens.grantID)
            #expect(second != first)
            #expect(await cache.mintCount == 2)
            #expect(live.transport.count("/tokens") == 2)
            #expect(live.transport.count("/api/auth/mcp/token") == 2, "the exchange, and one refresh for the expired access token")
            _ = try await cache.partner(grantID: tokens.grantID).me()
        }
    }

    @Test func revokedGrantSurfacesAsGrantRevokedOnceWithoutRetries() async throws {
        try await Live.run { live in
            let tokens = try await live.connect()
            let cache = InstallationTokenCache(oauth: live.oauth, store: live.store)
            await cache.remember(tokens)
            let api = cache.partner(grantID: tokens.grantID)
            _ = try await api.listOrganizations()
            try await live.sdk.uninstall(grantID: tokens.grantID, accessToken: tokens.accessToken)

            live.transport.reset()
            await #expect(throws: BetterI18nError.grantRevoked) { try await api.listOrganizations() }
            #expect(live.transport.requests == ["GET /api/oauth-client/organizations"], "one request: no retry, no new mint")
            #expect(live.sleeps.all.isEmpty)
            await #expect(throws: BetterI18nError.grantRevoked) { try await api.project(live.world.projects[0].id.rawValue) }
            #expect(live.transport.requests.count == 1, "a revoked grant is never revived, so nothing more is sent")
            let refused = await #expect(throws: BetterI18nError.self) { try await live.oauth.refresh(grantID: tokens.grantID, store: live.store) }
            #expect(refused.map(isInvalidGrant) == true)
        }
    }

    @Test func rateLimitedCallIsRetriedAfterRetryAfter() async throws {
        try await Live.run(configure: { $0.rateLimitPerMinute = 2 }, advancingClockWhenSleeping: true) { live in
            let tokens = try await live.connect()
            let minted = try await live.sdk.mintInstallationToken(grantID: tokens.grantID, accessToken: tokens.accessToken)
            let api = live.sdk.partner(token: minted.installationToken)
            _ = try await api.listOrganizations()
            _ = try await api.listOrganizations()
            live.transport.reset()
            let page = try await api.listOrganizations()
            #expect(page.items.count == 1)
            #expect(live.transport.requests.count == 2, "the 429, then the retry")
            let waited = try #require(live.sleeps.all.first)
            #expect(waited > 0 && waited <= 60)
        }
    }

    @Test func rateLimitRetriesAreBounded() async throws {
        try await Live.run(configure: { $0.rateLimitPerMinute = 1 }) { live in
            let tokens = try await live.connect()
            let minted = try await live.sdk.mintInstallationToken(grantID: tokens.grantID, accessToken: tokens.accessToken)
            let api = live.sdk.partner(token: minted.installationToken)
            _ = try await api.listOrganizations()
            live.transport.reset()
            do {
                _ = try await api.listOrganizations()
                Issue.record("a rate-limited call succeeded")
            } catch BetterI18nError.rateLimited(let retryAfter) {
                #expect(retryAfter != nil)
            }
            #expect(live.transport.requests.count == 3, "the first answer and two retries (the default policy)")
            #expect(live.sleeps.all.count == 2)
        }
    }

    /// Only `429` is retried: a `410` (or any other 4xx) carrying `Retry-After` is not.
    @Test func goneAndOtherClientErrorsAreNeverRetried() async throws {
        for (status, code) in [(410, "grant_revoked"), (400, "invalid_request"), (401, "invalid_token"), (409, "conflict"), (503, "server_error")] {
            let transport = ScriptedTransport(status: status, body: #"{"error":"\#(code)","error_description":"no"}"#, retryAfter: "1")
            let sleeps = SleepLog()
            let sdk = BetterI18nClient(configuration: .init(baseURL: URL(string: "http://127.0.0.1:9")!), transport: transport,
                                       sleep: { sleeps.record($0) })
            await #expect(throws: BetterI18nError.self) { try await sdk.partner(token: "t").listOrganizations() }
            #expect(transport.count == 1, "\(status)")
            #expect(sleeps.all.isEmpty)
        }
        let limited = ScriptedTransport(status: 429, body: #"{"error":"rate_limited","error_description":"wait"}"#, retryAfter: "120")
        let sdk = BetterI18nClient(configuration: .init(baseURL: URL(string: "http://127.0.0.1:9")!), transport: limited, sleep: { _ in })
        await #expect(throws: BetterI18nError.rateLimited(retryAfter: 120)) { try await sdk.partner(token: "t").listOrganizations() }
        #expect(limited.count == 1, "a Retry-After beyond the policy's maximum delay is not waited for")
    }

    @Test func answersBecomeTypedErrors() async throws {
        try await Live.run { live in
            let tokens = try await live.connect(scopes: ["org:read", "keys:read", "translations:write"])
            await #expect(throws: BetterI18nError.invalidToken) { try await live.sdk.partner(token: tokens.accessToken).listOrganizations() }
            let minted = try await live.sdk.mintInstallationToken(grantID: tokens.grantID, accessToken: tokens.accessToken)
            let api = live.sdk.partner(token: minted.installationToken)
            await #expect(throws: BetterI18nError.missingScope(required: "projects:write")) {
                try await api.createProject(.init(name: "X", slug: "x", sourceLanguage: "en"))
            }
            let project = live.world.projects[0].id.rawValue
            do {
                _ = try await api.setTranslations(projectID: project, [
                    BetterI18nAPI.TranslationValue(key: "hello", language: "en", value: "Hi {name"),
                ])
                Issue.record("a bad message format was accepted")
            } catch BetterI18nError.validationFailed(let errors) {
                #expect(errors.map(\.error) == ["invalid_message_format"])
                #expect(errors.first?.index == 0)
            }
            await #expect(throws: BetterI18nError.notFound) { try await api.listKeys(projectID: "prj_doesnotexist") }
            await #expect(throws: BetterI18nError.grantNotFound) {
                try await live.sdk.mintInstallationToken(grantID: "grt_other", accessToken: tokens.accessToken)
            }
            let sdk = live.sdk
            let wrong = PartnerOAuth(client: sdk, credentials: .init(clientID: live.world.web.id.rawValue, clientSecret: "nope",
                                                                     redirectURI: OAuthWorld.redirect))
            await #expect(throws: BetterI18nError.invalidClient) { try await wrong.refresh(grantID: tokens.grantID, store: live.store) }
            #expect(!String(describing: BetterI18nError.invalidClient).contains("nope"))
        }
    }

    @Test func publicClientExchangesWithItsIDAloneAndRevokes() async throws {
        try await Live.run { live in
            let oauth = PartnerOAuth(client: live.sdk, credentials: .init(clientID: live.world.native.id.rawValue, redirectURI: OAuthWorld.loopback))
            let tokens = try await live.connect(oauth: oauth, scopes: ["org:read"])
            #expect(tokens.organizationID == live.world.organization.id.rawValue)
            #expect(!(live.transport.headers.last?.contains { $0.0 == "Authorization" } ?? true), "no Basic header for a public client")
            try await oauth.revoke(tokens.refreshToken, hint: .refreshToken)
            let refused = await #expect(throws: BetterI18nError.self) { try await oauth.refresh(grantID: tokens.grantID, store: live.store) }
            #expect(refused.map(isInvalidGrant) == true)
            await #expect(throws: BetterI18nError.invalidToken) {
                try await live.sdk.mintInstallationToken(grantID: tokens.grantID, accessToken: tokens.accessToken)
            }
        }
    }

    @Test func authorizationURLCarriesPKCEAndAFreshState() throws {
        let sdk = BetterI18nClient(configuration: .init(baseURL: URL(string: "https://app.example.com")!))
        let oauth = PartnerOAuth(client: sdk, credentials: .init(clientID: "cli_1", clientSecret: "s", redirectURI: "https://p.example/cb"))
        let attempt = oauth.authorizationRequest(scopes: ["org:read", "keys:read"])
        let items = try #require(URLComponents(url: attempt.url, resolvingAgainstBaseURL: false)?.queryItems)
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        #expect(attempt.url.path == "/api/auth/mcp/authorize")
        #expect(value("response_type") == "code" && value("client_id") == "cli_1" && value("redirect_uri") == "https://p.example/cb")
        #expect(value("scope") == "org:read keys:read")
        #expect(value("code_challenge_method") == "S256")
        #expect(value("code_challenge") == PKCES256.challenge(for: attempt.codeVerifier))
        #expect((43...128).contains(attempt.codeVerifier.count))
        #expect(value("state") == attempt.state)
        #expect(oauth.authorizationRequest().state != attempt.state)
        // RFC 7636 appendix B.
        #expect(PKCES256.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(!String(describing: attempt).contains(attempt.codeVerifier))

        let redirect = "https://p.example/cb?code=abc&state=\(attempt.state)&iss=https%3A%2F%2Fapp.example.com"
        #expect(try oauth.code(fromCallback: URL(string: redirect)!, for: attempt) == "abc")
        #expect(throws: BetterI18nError.self) { try oauth.code(fromCallback: URL(string: "https://p.example/cb?code=abc&state=other")!, for: attempt) }
        #expect(throws: BetterI18nError.self) {
            try oauth.code(fromCallback: URL(string: "https://p.example/cb?code=abc&state=\(attempt.state)&iss=https%3A%2F%2Fevil.example")!, for: attempt)
        }
        #expect(throws: BetterI18nError.authorizationFailed(error: "access_denied", description: nil)) {
            try oauth.code(fromCallback: URL(string: "https://p.example/cb?error=access_denied&state=\(attempt.state)")!, for: attempt)
        }
    }

    /// Every typed call once against the server, so every answer is decoded by its API type.
    @Test func everyTypedCallDecodesTheServersAnswer() async throws {
        try await Live.run { live in
            let all = Self.scopes + ["projects:write", "glossary:read", "glossary:write"]
            let tokens = try await live.connect(scopes: all)
            let minted = try await live.sdk.mintInstallationToken(grantID: tokens.grantID, accessToken: tokens.accessToken,
                                                                  narrowing: .init(scopes: all))
            #expect(Set(minted.scopes) == Set(all) && minted.projectIDs.isEmpty)
            let api = live.sdk.partner(token: minted.installationToken)
            let organization = live.world.organization.id.rawValue

            #expect(try await live.sdk.me(token: tokens.accessToken).token.type == "access_token")
            #expect(try await api.me().grant.id == tokens.grantID)
            #expect(try await api.listOrganizations().items.map(\.id) == [organization])
            #expect(try await api.listProjects(organizationID: organization).items.count == 2)
            let created = try await api.createProject(.init(name: "Docs", slug: "docs", sourceLanguage: "en"))
            #expect(try await api.project(created.id).slug == "docs")
            #expect(try await api.addLanguage("fr", to: created.id).languages.map(\.code).contains("fr"))

            let keys = try await api.createKeys(projectID: created.id, [
                .init(name: "a", translations: ["en": "A"]), .init(name: "b", translations: ["en": "B"]),
                .init(name: "c", namespace: "extra", description: "third"),
            ])
            #expect(keys.created.count == 3)
            let first = try await api.listKeys(projectID: created.id, limit: 2)
            let cursor = try #require(first.nextCursor)
            let second = try await api.listKeys(projectID: created.id, cursor: cursor, limit: 2)
            #expect((first.items + second.items).map(\.name).sorted() == ["a", "b", "c"] && second.nextCursor == nil)
            #expect(try await api.listKeys(projectID: created.id, namespace: "extra").items.map(\.description) == ["third"])
            #expect(try await api.listKeys(projectID: created.id, search: "B").items.map(\.name) == ["b"])
            #expect(try await api.listKeys(projectID: created.id, missingLanguage: "en").items.map(\.name) == ["c"])
            let renamed = try await api.updateKey(projectID: created.id, keyID: keys.created[0].id, .init(description: "first"))
            #expect(renamed.description == "first")
            #expect(try await api.deleteKeys(projectID: created.id, keyIDs: [keys.created[1].id]).deleted == 1)
            #expect(try await api.setTranslations(projectID: created.id, [.init(key: "a", language: "fr", value: "À")]).updated == 1)
            let french = try await api.listTranslations(projectID: created.id, languages: ["fr"])
            #expect(french.items.map(\.value) == ["À"])
            #expect(try await api.pendingChanges(projectID: created.id).languages["fr"]?.added == ["a"])
            let release = try await api.publish(projectID: created.id, languages: ["fr"])
            #expect(release.languages == ["fr"])
            #expect(try await api.listReleases(projectID: created.id).items.map(\.version) == [1])
            let terms = try await api.upsertGlossaryTerms([.init(term: "Workspace", translations: ["de": "Arbeitsbereich"])])
            #expect(terms.items.map(\.term) == ["Workspace"])
            #expect(try await api.listGlossary().items.first?.translations["de"] == "Arbeitsbereich")
            try await live.sdk.uninstall(grantID: tokens.grantID, accessToken: tokens.accessToken)
            await #expect(throws: BetterI18nError.grantRevoked) { try await api.me() }
        }
    }

    @Test func retryAfterIsReadAsSecondsOrAnHTTPDate() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let date = "Fri, 15 Jan 2027 08:00:30 GMT"   // 1_800_000_030
        for (retryAfter, expected) in [("7", 7.0), (date, 30.0)] {
            let transport = ScriptedTransport(status: 429, body: "{}", retryAfter: retryAfter)
            let sleeps = SleepLog()
            let sdk = BetterI18nClient(configuration: .init(baseURL: URL(string: "http://127.0.0.1:9")!), transport: transport,
                                       now: { now }, sleep: { sleeps.record($0) })
            await #expect(throws: BetterI18nError.rateLimited(retryAfter: expected)) { try await sdk.partner(token: "t").me() }
            #expect(sleeps.all == [expected, expected])
            #expect(transport.count == 3)
        }
    }

    /// SPEC §10 and §13: typed calls for the content routes, and the public Content API read
    /// with a `bi_pub_` key, decoding the server's answers.
    @Test func contentCallsAndThePublicContentClientDecodeTheServersAnswers() async throws {
        try await Live.run { live in
            let scopes = ["org:read", "projects:read", "content:read", "content:write", "content:publish"]
            let tokens = try await live.connect(scopes: scopes)
            let minted = try await live.sdk.mintInstallationToken(grantID: tokens.grantID, accessToken: tokens.accessToken)
            let api = live.sdk.partner(token: minted.installationToken)
            let project = live.world.projects[0].id.rawValue
            let model = try await api.createContentModel(projectID: project, .init(slug: "blog", fields: [
                .init(name: "price", type: "number"), .init(name: "excerpt", type: "text", localized: true),
            ]))
            #expect(model.fields.map(\.name) == ["price", "excerpt"])
            #expect(try await api.listContentModels(projectID: project).items.map(\.slug) == ["blog"])
            #expect(try await api.listContentModels(organization: live.world.organization.slug.value, project: "web").items.count == 1)
            #expect(try await api.updateContentModel(projectID: project, model: "blog", .init(displayName: "News")).displayName == "News")
            _ = try await api.addContentField(projectID: project, model: "blog", .init(name: "cover", type: "media"))
            _ = try await api.updateContentField(projectID: project, model: "blog", name: "cover", .init(required: false, helpText: "16:9"))
            #expect(try await api.contentModel(projectID: project, model: "blog").fields.last?.helpText == "16:9")
            #expect(try await api.deleteContentField(projectID: project, model: "blog", name: "cover").fields.count == 2)
            let entry = try await api.createContentEntry(projectID: project, model: "blog", .init(
                slug: "hello", fields: ["price": .int(3)],
                translations: ["en": .init(title: "Hello", body: "# Hi", fields: ["excerpt": .string("First")])]
            ))
            do {
                _ = try await api.createContentEntry(projectID: project, model: "blog", .init(slug: "bad", fields: ["price": .string("x")],
                                                                                              translations: ["en": .init(title: "T")]))
                Issue.record("a wrong type must be refused")
            } catch BetterI18nError.validationFailed(let items) {
                #expect(items.map(\.field) == ["fields.price"])
            }
            #expect(try await api.publishContentEntry(projectID: project, entryID: entry.id).status == "published")
            #expect(try await api.listContentEntries(projectID: project, model: "blog", filters: ["price": "3"]).items.map(\.id) == [entry.id])
            #expect(try await api.updateContentEntry(projectID: project, entryID: entry.id, .init(slug: "hello-world")).slug == "hello-world")
            #expect(try await api.contentEntry(projectID: project, entryID: entry.id).translations["en"]?.title == "Hello")

            let key = try await live.world.server.dependencies.publicKeys.create(for: live.world.projects[0], name: "Site").secret.value
            let reader = PublicContentClient(client: live.sdk, organization: live.world.organization.slug.value, project: "web", key: key)
            #expect(try await reader.models().map(\.slug) == ["blog"])
            let page = try await reader.entries(model: "blog", language: "de", limit: 10)
            #expect(page.total == 1 && page.items.first?["title"] == .string("Hello") && page.items.first?["language"] == .string("en"))
            #expect(try await reader.entry(model: "blog", slug: "hello-world")["body"] == .string("# Hi"))

            #expect(try await api.unpublishContentEntry(projectID: project, entryID: entry.id).status == "draft")
            try await api.deleteContentEntry(projectID: project, entryID: entry.id)
            try await api.deleteContentModel(projectID: project, model: "blog")
            #expect(try await api.listContentModels(projectID: project).items.isEmpty)
        }
    }

    @Test func everyPartnerEndpointHasATypedCall() {
        #expect(PartnerClient.coveredOperations == Set(Endpoints.all.map(\.operationID)))
    }

    @Test func stdioMCPSendsThroughTheClientTransport() async throws {
        try await Live.run { live in
            let tokens = try await live.connect()
            let minted = try await live.sdk.mintInstallationToken(grantID: tokens.grantID, accessToken: tokens.accessToken)
            let api = RemotePartnerAPI(baseURL: live.base, token: minted.installationToken, transport: live.transport)
            live.transport.reset()
            let me = try await api.send(PartnerAPIRequest(method: "GET", path: "/api/oauth-client/me"))
            #expect(me.status == 200)
            let keys = try await api.send(PartnerAPIRequest(method: "GET", path: "/api/oauth-client/v1/projects/\(live.world.projects[0].id.rawValue)/keys",
                                                            query: [("search", "hel lo&x"), ("limit", "5")]))
            #expect(keys.status == 200)
            let missing = try await api.send(PartnerAPIRequest(method: "GET", path: "/api/oauth-client/v1/projects/prj_nope"))
            #expect(missing.status == 404, "statuses come back as they are")
            #expect(live.transport.requests.count == 3)
            // AsyncHTTPClient retries a refused connection until the deadline: keep it short here.
            let unreachable = RemotePartnerAPI(baseURL: URL(string: "http://127.0.0.1:9")!, token: minted.installationToken,
                                               transport: AsyncHTTPClientTransport(timeout: .milliseconds(300)))
            do {
                _ = try await unreachable.send(PartnerAPIRequest(method: "GET", path: "/api/oauth-client/me"))
                Issue.record("an unreachable API answered")
            } catch let error as PartnerAPIUnreachable {
                #expect(error.description.hasPrefix("cannot reach http://127.0.0.1:9"))
                #expect(!error.description.contains(minted.installationToken))
            }
        }
    }
}

// MARK: - Webhooks and lookup (no server)

@Suite struct WebhookVerifierTests {
    /// The example of the Standard Webhooks specification (its libraries' shared test vector).
    let vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let vectorID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let vectorTimestamp = "1614265330"
    let vectorBody = Data(#"{"test": 2432232314}"#.utf8)
    let vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    let vectorTime = Date(timeIntervalSince1970: 1_614_265_330)

    @Test func acceptsASignatureMadePerStandardWebhooks() throws {
        let verifier = try WebhookVerifier(secret: vectorSecret, now: { vectorTime })
        try verifier.verify(id: vectorID, timestamp: vectorTimestamp, signature: vectorSignature, body: vectorBody)
        // After a rotation both signatures are sent, space-separated; either may be the valid one.
        try verifier.verify(headers: ["Webhook-Id": vectorID, "webhook-timestamp": vectorTimestamp,
                                      "webhook-signature": "v1,bm90IHRoaXMgb25l \(vectorSignature)"], body: vectorBody)
        #expect(verifier.sign(id: vectorID, timestamp: vectorTimestamp, body: vectorBody) == vectorSignature)

        // A 32-byte secret as Better i18n makes them, signed independently of the verifier.
        let bytes = Data((0..<32).map { UInt8($0 * 7 % 256) })
        let secret = "whsec_" + bytes.base64EncodedString()
        let body = Data(#"{"id":"evt_1","type":"ping"}"#.utf8)
        // Computed with Python's hmac module: HMAC-SHA256(bytes, "evt_1.1614265330." + body).
        let signature = "v1,74Jv5i94k/o3vQjvQd31f55xwPB8mcw2UjrIwpHPFOU="
        try WebhookVerifier(secret: secret, now: { vectorTime }).verify(id: "evt_1", timestamp: vectorTimestamp, signature: signature, body: body)
    }

    @Test func refusesATamperedBodyAWrongSecretAndAnOldTimestamp() throws {
        let verifier = try WebhookVerifier(secret: vectorSecret, now: { vectorTime })
        #expect(throws: WebhookVerifier.Failure.noMatchingSignature) {
            try verifier.verify(id: vectorID, timestamp: vectorTimestamp, signature: vectorSignature, body: Data(#"{"test": 2432232315}"#.utf8))
        }
        #expect(throws: WebhookVerifier.Failure.noMatchingSignature) {
            try verifier.verify(id: "msg_other", timestamp: vectorTimestamp, signature: vectorSignature, body: vectorBody)
        }
        let wrong = try WebhookVerifier(secret: "whsec_" + Data(repeating: 1, count: 32).base64EncodedString(), now: { vectorTime })
        #expect(throws: WebhookVerifier.Failure.noMatchingSignature) {
            try wrong.verify(id: vectorID, timestamp: vectorTimestamp, signature: vectorSignature, body: vectorBody)
        }
        let later = try WebhookVerifier(secret: vectorSecret, now: { vectorTime.addingTimeInterval(301) })
        #expect(throws: WebhookVerifier.Failure.timestampOutOfTolerance) {
            try later.verify(id: vectorID, timestamp: vectorTimestamp, signature: vectorSignature, body: vectorBody)
        }
        let justInTime = try WebhookVerifier(secret: vectorSecret, now: { vectorTime.addingTimeInterval(299) })
        try justInTime.verify(id: vectorID, timestamp: vectorTimestamp, signature: vectorSignature, body: vectorBody)
        let earlier = try WebhookVerifier(secret: vectorSecret, now: { vectorTime.addingTimeInterval(-301) })
        #expect(throws: WebhookVerifier.Failure.timestampOutOfTolerance) {
            try earlier.verify(id: vectorID, timestamp: vectorTimestamp, signature: vectorSignature, body: vectorBody)
        }
        #expect(throws: WebhookVerifier.Failure.missingHeader("webhook-signature")) {
            try verifier.verify(headers: ["webhook-id": vectorID, "webhook-timestamp": vectorTimestamp], body: vectorBody)
        }
        #expect(throws: WebhookVerifier.Failure.malformedSecret) { try WebhookVerifier(secret: "whsec_!!!") }
        #expect(!String(describing: WebhookVerifier.Failure.malformedSecret).contains("whsec_!!!"))
    }

    @Test func messagesAreLookedUpByDotPathWithSentenceKeysWhole() throws {
        let json = #"{"auth":{"login":{"title":"Sign in"}},"default":{"Loading...":"Laden…","Hello, %@!":"Hallo, %@!","a":{"b.c":"flat"}}}"#
        let messages = try JSONDecoder().decode(CDNValue.self, from: Data(json.utf8))
        #expect(messages.message("auth.login.title") == "Sign in")
        #expect(messages.message("default.Loading...") == "Laden…")
        #expect(messages.message("default.Hello, %@!") == "Hallo, %@!")
        #expect(messages.message("default.a.b.c") == "flat")
        #expect(messages.message("auth.login") == nil)
        #expect(messages.message("auth.logout.title") == nil)
    }
}

// MARK: - Support

func isInvalidGrant(_ error: BetterI18nError) -> Bool {
    if case .invalidGrant = error { return true }
    return false
}

/// A live server on a socket for one test, and a `BetterI18nClient` on the server's clock.
struct Live {
    let world: OAuthWorld
    let http: any TestClientProtocol
    let base: URL
    let transport: RecordingTransport
    let sleeps: SleepLog
    let sdk: BetterI18nClient
    let oauth: PartnerOAuth
    let store = InMemoryRefreshTokenStore()

    /// - Parameter advancingClockWhenSleeping: a retry's wait moves the server's clock by as much
    ///   (the rate-limit window passes); otherwise waits are only recorded.
    static func run(configure: @escaping (inout ServerConfiguration) -> Void = { _ in }, advancingClockWhenSleeping: Bool = false,
                    _ body: @escaping @Sendable (Live) async throws -> Void) async throws {
        let world = try await OAuthWorld(configure: configure)
        try await world.seedValue()
        try await BetterI18nServer.buildApplication(world.server.dependencies).test(.live) { client in
            let base = URL(string: "http://127.0.0.1:\(try #require(client.port))")!
            let transport = RecordingTransport()
            let sleeps = SleepLog()
            let clock = world.clock
            let sdk = BetterI18nClient(
                configuration: .init(apiURL: base, authorizationServerURL: base, cdnURL: base.appendingPathComponent("cdn"), issuer: world.issuer),
                transport: transport, now: { clock.now() },
                sleep: { seconds in
                    sleeps.record(seconds)
                    if advancingClockWhenSleeping { clock.advance(by: seconds) }
                }
            )
            let oauth = PartnerOAuth(client: sdk, credentials: .init(clientID: world.web.id.rawValue, clientSecret: world.webSecret,
                                                                     redirectURI: OAuthWorld.redirect))
            try await body(Live(world: world, http: client, base: base, transport: transport, sleeps: sleeps, sdk: sdk, oauth: oauth))
        }
    }

    /// Sign-in and consent in the browser (the test's cookie jar), on the URL the client made;
    /// then the client checks the redirect and exchanges the code itself.
    func connect(oauth: PartnerOAuth? = nil, scopes: [String] = ClientTests.scopes) async throws -> TokenResponse {
        let oauth = oauth ?? self.oauth
        let attempt = oauth.authorizationRequest(scopes: scopes)
        let driver = OAuthDriver(client: http, world: world)
        try await driver.signIn()
        let target = String(attempt.url.absoluteString.dropFirst(base.absoluteString.count))
        let page = try await http.browse(target, jar: driver.jar)
        #expect(page.status == .ok)
        let approved = try await driver.submitConsent(page, scopes: scopes)
        let location = try #require(approved.headers[.location])
        let code = try oauth.code(fromCallback: try #require(URL(string: location)), for: attempt)
        return try await oauth.exchange(code: code, for: attempt, store: store)
    }
}

/// The real transport, recording `METHOD path` and the headers of every request.
final class RecordingTransport: HTTPTransport {
    private let inner = AsyncHTTPClientTransport.shared
    private let log = Mutex<[(String, [(String, String)])]>([])

    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        let path = URLComponents(string: request.url)?.path ?? request.url
        log.withLock { $0.append(("\(request.method) \(path)", request.headers)) }
        return try await inner.execute(request)
    }

    var requests: [String] { log.withLock { $0.map(\.0) } }
    var headers: [[(String, String)]] { log.withLock { $0.map(\.1) } }
    func count(_ suffix: String) -> Int { requests.filter { $0.hasSuffix(suffix) }.count }
    func reset() { log.withLock { $0 = [] } }
}

/// Answers every request with one status and body, counting requests.
final class ScriptedTransport: HTTPTransport {
    let status: Int
    let body: String
    let retryAfter: String
    private let sent = Mutex(0)

    init(status: Int, body: String, retryAfter: String) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }

    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        sent.withLock { $0 += 1 }
        return ClientResponse(status: status, headers: [("Retry-After", retryAfter), ("Content-Type", "application/json")], body: Data(body.utf8))
    }

    var count: Int { sent.withLock { $0 } }
}

final class SleepLog: Sendable {
    private let waits = Mutex<[TimeInterval]>([])
    func record(_ seconds: TimeInterval) { waits.withLock { $0.append(seconds) } }
    var all: [TimeInterval] { waits.withLock { $0 } }
}
