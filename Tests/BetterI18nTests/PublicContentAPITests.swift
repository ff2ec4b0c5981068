import BetterI18nAPI
import BetterI18nCDN
import BetterI18nCore
import BetterI18nHTTP
import BetterI18nProjects
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §10 public Content API: `GET /v1/content/{org}/{project}/models…` with a `bi_pub_` key
/// (or an installation token with `content:read`): published snapshots only, language
/// fallback, `expand`, paging and its refusals, caching headers, CORS, per-key rate limits,
/// and revocation seen by every instance within a second.
@Suite struct PublicContentAPITests {
    struct Site {
        let session: ContentAPITests.Session
        let key: String
        let keyID: String
        let client: any TestClientProtocol
        let world: OAuthWorld
        var base: String { "/v1/content/\(world.organization.slug.value)/web" }

        func get(_ path: String, key: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
            var headers = headers
            if let key = key ?? Optional(self.key), !key.isEmpty { headers[.init("x-api-key")!] = key }
            return try await client.execute(uri: base + path, method: .get, headers: headers)
        }

        func json(_ response: TestResponse) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any], "\(String(buffer: response.body))")
        }

        func error(_ response: TestResponse) throws -> String? { try json(response)["error"] as? String }
    }

    /// Two posts (one published in en and de, one in en only), a draft, an author; a key.
    static func site(_ client: any TestClientProtocol, _ world: OAuthWorld) async throws -> Site {
        let session = try await ContentAPITests.session(client, world)
        try await session.seedModels()
        let ada = try session.entryID(try await session.createEntry("authors", ["slug": "ada", "status": "published",
                                                                               "translations": ["en": ["title": "Ada", "fields": ["bio": "Wrote programs"]]]]))
        let ghost = try session.entryID(try await session.createEntry("authors", ["slug": "ghost", "translations": ["en": ["title": "Ghost"]]]))
        world.clock.advance(by: 1)
        _ = try session.entryID(try await session.createEntry("blog", [
            "slug": "hello", "status": "published", "fields": ["price": 10, "tone": "calm", "author": ada, "related": [String]()],
            "translations": ["en": ["title": "Hello", "body": "# Hello", "fields": ["subtitle": "Hi"]],
                             "de": ["title": "Hallo", "body": "# Hallo", "fields": ["subtitle": "Servus"]]],
        ]))
        world.clock.advance(by: 1)
        _ = try session.entryID(try await session.createEntry("blog", [
            "slug": "english-only", "status": "published", "fields": ["price": 20, "tone": "loud", "author": ghost],
            "translations": ["en": ["title": "Apples", "body": "Only English", "fields": ["subtitle": "En"]]],
        ]))
        world.clock.advance(by: 1)
        _ = try session.entryID(try await session.createEntry("blog", [
            "slug": "draft-post", "translations": ["en": ["title": "Secret draft", "fields": ["subtitle": "Soon"]]],
        ]))
        let created = try await world.server.dependencies.publicKeys.create(for: world.projects[0], name: "Website")
        return Site(session: session, key: created.secret.value, keyID: created.key.id.rawValue, client: client, world: world)
    }

    @Test func aWebsiteReadsPublishedEntriesOnly() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let site = try await Self.site(client, world)
            let models = try await site.get("/models")
            #expect(models.status == .ok)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(models.body.readableBytesView)) as? [[String: Any]])
            #expect(list.map { $0["slug"] as? String } == ["authors", "blog"])
            #expect(list.first { $0["slug"] as? String == "blog" }?["entry_count"] as? Int == 2, "drafts are not counted")

            let page = try site.json(try await site.get("/models/blog/entries"))
            let items = try #require(page["items"] as? [[String: Any]])
            #expect(items.map { $0["slug"] as? String } == ["english-only", "hello"], "newest first, no draft")
            #expect(page["total"] as? Int == 2)
            #expect(page["hasMore"] as? Bool == false)
            let hello = try #require(items.last)
            #expect(hello["title"] as? String == "Hello")
            #expect(hello["status"] as? String == "published")
            #expect(hello["language"] as? String == "en")
            #expect(hello["sourceLanguage"] as? String == "en")
            #expect(hello["availableLanguages"] as? [String] == ["de", "en"])
            #expect(hello["price"] as? Int == 10)
            #expect(hello["subtitle"] as? String == "Hi")
            #expect(hello["body"] == nil, "lists leave the body out unless fields asks for it")
            #expect((hello["id"] as? String)?.hasPrefix("ent_") == true)
            #expect(hello["publishedAt"] is String)

            let single = try site.json(try await site.get("/models/blog/entries/hello"))
            #expect(single["body"] as? String == "# Hello")
            #expect(try await site.get("/models/blog/entries/draft-post").status == .notFound)
            #expect(try await site.get("/models/blog/entries/nothing").status == .notFound)
            #expect(try site.error(try await site.get("/models/nothing/entries")) == "not_found")

            // Paging, sorting, fields, search and filters.
            let second = try site.json(try await site.get("/models/blog/entries?limit=1&page=2&sort=title&order=asc"))
            #expect((second["items"] as? [[String: Any]])?.map { $0["slug"] as? String } == ["hello"])
            #expect(second["hasMore"] as? Bool == false)
            let first = try site.json(try await site.get("/models/blog/entries?limit=1&sort=title&order=asc"))
            #expect(first["hasMore"] as? Bool == true)
            let trimmed = try site.json(try await site.get("/models/blog/entries?fields=title,body&sort=createdAt&order=asc"))
            let trimmedItem = try #require((trimmed["items"] as? [[String: Any]])?.first)
            #expect(Set(trimmedItem.keys) == ["slug", "publishedAt", "title", "body"])
            let found = try site.json(try await site.get("/models/blog/entries?search=APPLE"))
            #expect((found["items"] as? [[String: Any]])?.map { $0["slug"] as? String } == ["english-only"])
            let filtered = try site.json(try await site.get("/models/blog/entries?filter%5Btone%5D=calm"))
            #expect((filtered["items"] as? [[String: Any]])?.map { $0["slug"] as? String } == ["hello"])
            #expect(try site.json(try await site.get("/models/blog/entries?search=secret"))["total"] as? Int == 0)
        }
    }

    @Test func aLanguageFallsBackToTheSourceLanguageAndExpandResolvesRelations() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let site = try await Self.site(client, world)
            let german = try site.json(try await site.get("/models/blog/entries/hello?language=de"))
            #expect(german["title"] as? String == "Hallo")
            #expect(german["language"] as? String == "de")
            #expect(german["subtitle"] as? String == "Servus")
            let fallback = try site.json(try await site.get("/models/blog/entries/english-only?language=de"))
            #expect(fallback["title"] as? String == "Apples")
            #expect(fallback["language"] as? String == "en", "the answer says which language it is")

            let expanded = try site.json(try await site.get("/models/blog/entries/hello?expand=author"))
            let author = try #require((expanded["relations"] as? [String: Any])?["author"] as? [String: Any])
            #expect(author["slug"] as? String == "ada")
            #expect(author["title"] as? String == "Ada")
            #expect(author["model"] as? String == "authors")
            #expect(author["bio"] as? String == "Wrote programs")
            #expect((author["id"] as? String)?.hasPrefix("ent_") == true)
            // A relation to an entry that is not published expands to null.
            let ghost = try site.json(try await site.get("/models/blog/entries/english-only?expand=author"))
            #expect((ghost["relations"] as? [String: Any])?["author"] is NSNull)
            let list = try site.json(try await site.get("/models/blog/entries?expand=author,related"))
            let relations = try #require((list["items"] as? [[String: Any]])?.last?["relations"] as? [String: Any])
            #expect(relations["related"] as? [Any] != nil, "a multiple relation expands to a list")
        }
    }

    @Test func badParametersAndCredentialsAreRefused() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let site = try await Self.site(client, world)
            for query in ["limit=0", "limit=101", "page=0", "sort=price", "order=up", "filter%5Bcolour%5D=red", "fields=colour",
                          "expand=price", "language=not_a_language!", "color=red", "limit=1&limit=2"] {
                let response = try await site.get("/models/blog/entries?" + query)
                #expect(response.status == .badRequest, "\(query)")
                #expect(try site.error(response) == "invalid_request", "\(query)")
            }
            // No key, an unknown key, a malformed one, another kind of token.
            for key in ["", Secret(kind: .publicContentKey).value, "bi_pub_nonsense", "hello"] {
                let response = try await site.get("/models/blog/entries", key: key)
                #expect(response.status == .unauthorized, "\(key.prefix(8))")
                #expect(try site.error(response) == "invalid_api_key")
            }
            #expect(try await site.client.execute(uri: site.base + "/models", method: .get,
                                                  headers: [.authorization: "Bearer \(site.key)"]).status == .ok, "Bearer works too")
            // A key of another project.
            let other = try await world.server.dependencies.publicKeys.create(for: world.projects[1], name: "Mobile")
            let wrong = try await site.get("/models/blog/entries", key: other.secret.value)
            #expect(wrong.status == .forbidden)
            #expect(try site.error(wrong) == "wrong_project")
            // Drafts are never public.
            let drafts = try await site.get("/models/blog/entries?status=draft")
            #expect(drafts.status == .forbidden)
            #expect(try site.error(drafts) == "drafts_not_public")
            #expect(try await site.get("/models/blog/entries?status=published").status == .ok)
            // A revoked key stops at once on this instance.
            try await world.server.dependencies.publicKeys.revoke(site.keyID)
            let revoked = try await site.get("/models/blog/entries")
            #expect(revoked.status == .unauthorized)
            #expect(try site.error(revoked) == "invalid_api_key")
        }
    }

    @Test func installationTokensNeedContentReadAndMayReadDrafts() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let site = try await Self.site(client, world)
            let without = try await site.session.partner.installation(scopes: ["org:read"])
            let refused = try await site.get("/models/blog/entries", key: without)
            #expect(refused.status == .forbidden)
            #expect(try site.error(refused) == "missing_scope")
            let reader = try await site.session.partner.installation(scopes: ["content:read"])
            let drafts = try site.json(try await site.get("/models/blog/entries?status=draft", key: reader))
            #expect((drafts["items"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Secret draft"])
            let published = try await site.get("/models/blog/entries", key: reader)
            #expect(published.headers[.cacheControl] == "private, no-cache", "drafts never reach shared caches")
            #expect(try site.json(published)["total"] as? Int == 2)
            let narrowed = try await site.session.partner.installation(scopes: ["content:read"], projects: [world.projects[1].id.rawValue])
            #expect(try site.error(try await site.get("/models/blog/entries", key: narrowed)) == "project_not_granted")
        }
    }

    @Test func answersCarryCachingHeadersETagsCompressionAndCORS() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let site = try await Self.site(client, world)
            let response = try await site.get("/models/blog/entries")
            #expect(response.headers[.cacheControl] == "public, max-age=60, stale-while-revalidate=3600")
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.headers[.accessControlExposeHeaders]?.contains("ETag") == true)
            #expect(response.headers[.setCookie] == nil)
            let etag = try #require(response.headers[.eTag])
            #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"), "a strong validator")
            let revalidated = try await site.get("/models/blog/entries", headers: [.ifNoneMatch: etag])
            #expect(revalidated.status == .notModified)
            #expect(revalidated.body.readableBytes == 0)
            #expect(revalidated.headers[.eTag] == etag)

            let brotli = try await site.get("/models/blog/entries", headers: [.acceptEncoding: "gzip, br"])
            #expect(brotli.headers[.contentEncoding] == "br")
            #expect(Compression.unbrotli(Array(brotli.body.readableBytesView)) == Array(response.body.readableBytesView))
            let gzip = try await site.get("/models/blog/entries", headers: [.acceptEncoding: "gzip"])
            #expect(gzip.headers[.contentEncoding] == "gzip")
            #expect(Compression.gunzip(Array(gzip.body.readableBytesView)) == Array(response.body.readableBytesView))
            #expect(try await site.get("/models/blog/entries", headers: [.ifNoneMatch: try #require(gzip.headers[.eTag])]).status == .notModified)

            let head = try await client.execute(uri: site.base + "/models/blog/entries", method: .head,
                                                headers: [.init("x-api-key")!: site.key])
            #expect(head.status == .ok && head.body.readableBytes == 0 && head.headers[.eTag] == etag)
            let preflight = try await client.execute(uri: site.base + "/models/blog/entries", method: .options,
                                                     headers: [.origin: "https://www.example.com", .accessControlRequestMethod: "GET"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "*")
            #expect(preflight.headers[.accessControlAllowMethods] == "GET, HEAD")
            #expect(preflight.headers[.accessControlAllowHeaders]?.lowercased().contains("x-api-key") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)
            #expect(preflight.headers[.accessControlMaxAge] == "86400")

            // A publish changes the answer at once here (and its ETag).
            let entry = try site.session.object(try await site.session.call("/models/blog/entries?search=secret"))
            let id = try #require(((entry["entries"] as? [[String: Any]])?.first)?["id"] as? String)
            #expect(try await site.session.call("/entries/\(id)/publish", .post).status == .ok)
            let after = try await site.get("/models/blog/entries", headers: [.ifNoneMatch: etag])
            #expect(after.status == .ok)
            #expect(try site.json(after)["total"] as? Int == 3)
        }
    }

    /// `serve --demo` seeds a blog: one post published in en and de, one draft, and a key.
    @Test func theDemoBlogServesItsPublishedPostOnly() async throws {
        let world = try await OAuthWorld()
        let dependencies = world.server.dependencies
        let key = try await DemoContent(content: dependencies.content, keys: dependencies.publicKeys).seed(in: world.projects[0])
        try await world.test { client in
            let base = "/v1/content/\(world.organization.slug.value)/web/models/blog/entries"
            let headers: HTTPFields = [.init("x-api-key")!: key.value]
            let post = try await client.execute(uri: base + "/hello-world?language=de", method: .get, headers: headers)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(post.body.readableBytesView)) as? [String: Any])
            #expect(body["title"] as? String == "Hallo, Welt")
            #expect(body["availableLanguages"] as? [String] == ["de", "en"])
            #expect(try await client.execute(uri: base + "/coming-soon", method: .get, headers: headers).status == .notFound)
            let drafts = try await world.server.dependencies.content.entries(of: "blog", in: world.projects[0], .init(status: "draft"))
            #expect(drafts.entries.map(\.slug) == ["coming-soon"])
        }
    }

    @Test func eachKeyIsRateLimitedWithHeaders() async throws {
        let world = try await OAuthWorld { $0.contentRateLimitPerMinute = 3 }
        try await world.test { client in
            let site = try await Self.site(client, world)
            for remaining in [2, 1, 0] {
                let response = try await site.get("/models")
                #expect(response.status == .ok)
                #expect(response.headers[.init("X-RateLimit-Limit")!] == "3")
                #expect(response.headers[.init("X-RateLimit-Remaining")!] == String(remaining))
                #expect(response.headers[.init("X-RateLimit-Reset")!] != nil)
            }
            let limited = try await site.get("/models")
            #expect(limited.status == .tooManyRequests)
            #expect(try site.error(limited) == "rate_limited")
            #expect(limited.headers[.retryAfter] != nil)
            // Another key has its own budget; a new window starts after a minute.
            let other = try await world.server.dependencies.publicKeys.create(for: world.projects[0], name: "Other")
            #expect(try await site.get("/models", key: other.secret.value).status == .ok)
            world.clock.advance(by: 61)
            #expect(try await site.get("/models").status == .ok)
        }
    }

    @Test(arguments: Backend.available)
    func aRevokedKeyIsRefusedByAnotherInstanceWithinASecond(backend: Backend) async throws {
        let world = try await OAuthWorld(backend: backend)
        let peer = backend == .sqlite
            ? AppDependencies(configuration: world.server.dependencies.configuration,
                              storage: try await StorageFactoryForTests.sqlite(path: try #require(world.databasePath)), clock: world.clock, logger: .quiet)
            : try await world.server.peer(backend: backend)
        let (key, secret) = try await world.server.dependencies.publicKeys.create(for: world.projects[0], name: "Site")
        let path = "/v1/content/\(world.organization.slug.value)/web/models"
        try await BetterI18nServer.buildApplication(peer).test(.router) { other in
            let headers: HTTPFields = [.init("x-api-key")!: secret.value]
            #expect(try await other.execute(uri: path, method: .get, headers: headers).status == .ok)
            try await world.server.dependencies.publicKeys.revoke(key.id.rawValue)
            let started = ContinuousClock.now
            var status = try await other.execute(uri: path, method: .get, headers: headers).status
            while status != .unauthorized, ContinuousClock.now - started < .seconds(1) {
                status = try await other.execute(uri: path, method: .get, headers: headers).status
            }
            #expect(status == .unauthorized, "the other instance refuses the revoked key within a second")
        }
        let listed = try await world.server.dependencies.publicKeys.keys(in: world.organization.id)
        #expect(listed.first?.revokedAt != nil)
    }
}
