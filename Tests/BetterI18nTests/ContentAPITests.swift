import BetterI18nAPI
import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §10 partner REST: models, fields and entries under
/// `/api/oauth-client/v1/projects/{projectId}/content`, with the content scopes, typed value
/// checks naming the field, `required` at publish, relations, the `single` limit and slugs.
@Suite struct ContentAPITests {
    static let contentScopes = "org:read projects:read content:read content:write content:publish"

    struct Session {
        let partner: PartnerResourceTests.Partner
        let token: String
        let world: OAuthWorld
        var base: String { "/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)/content" }

        func call(_ path: String, _ method: HTTPRequest.Method = .get, _ json: [String: Any]? = nil, token: String? = nil) async throws -> TestResponse {
            try await partner.call(base + path, method: method, token: token ?? self.token, json: json)
        }

        func object(_ response: TestResponse) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
        }

        /// The item errors of a `422`, as `field: error` pairs.
        func itemErrors(_ response: TestResponse) throws -> [String] {
            #expect(response.status == .unprocessableContent, "\(String(buffer: response.body))")
            let body = try object(response)
            #expect(body["error"] as? String == "validation_failed")
            return (body["errors"] as? [[String: Any]] ?? []).map { "\($0["field"] as? String ?? "?"): \($0["error"] as? String ?? "?")" }
        }

        /// A `blog` model with one field of every type, and an `authors` model to relate to.
        func seedModels() async throws {
            let authors = try await call("/models", .post, ["slug": "authors", "display_name": "Authors", "include_body": false, "fields": [
                ["name": "bio", "type": "textarea", "localized": true],
            ]])
            #expect(authors.status == .created, "\(String(buffer: authors.body))")
            let blog = try await call("/models", .post, ["slug": "blog", "display_name": "Blog", "fields": [
                ["name": "subtitle", "type": "text", "localized": true, "required": true],
                ["name": "summary", "type": "textarea", "localized": true],
                ["name": "notes", "type": "richtext"],
                ["name": "price", "type": "number"],
                ["name": "featured", "type": "boolean"],
                ["name": "day", "type": "date"],
                ["name": "starts_at", "type": "datetime"],
                ["name": "tone", "type": "enum", "enum_values": [["label": "Calm", "value": "calm"], ["label": "Loud", "value": "loud"]]],
                ["name": "cover", "type": "media"],
                ["name": "author", "type": "relation", "target_model": "authors"],
                ["name": "related", "type": "relation", "target_model": "blog", "multiple": true],
            ]])
            #expect(blog.status == .created, "\(String(buffer: blog.body))")
        }

        func createEntry(_ model: String, _ body: [String: Any], token: String? = nil) async throws -> TestResponse {
            try await call("/models/\(model)/entries", .post, body, token: token)
        }

        func entryID(_ response: TestResponse) throws -> String {
            #expect(response.status == .created || response.status == .ok, "\(String(buffer: response.body))")
            return try #require(try object(response)["id"] as? String)
        }
    }

    static func session(_ client: any TestClientProtocol, _ world: OAuthWorld, scope: String = contentScopes) async throws -> Session {
        let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: scope)
        let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
        return Session(partner: partner, token: try await partner.installation(), world: world)
    }

    @Test func modelsAreCreatedListedChangedAndDeleted() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let session = try await Self.session(client, world)
            try await session.seedModels()
            let list = try session.object(try await session.call("/models"))
            #expect((list["models"] as? [[String: Any]])?.map { $0["slug"] as? String } == ["authors", "blog"])
            #expect(list["next_cursor"] is NSNull)
            let blog = try session.object(try await session.call("/models/blog"))
            #expect(blog["kind"] as? String == "collection")
            #expect((blog["id"] as? String)?.hasPrefix("cmd_") == true)
            let fields = try #require(blog["fields"] as? [[String: Any]])
            #expect(fields.first { $0["name"] as? String == "author" }?["target_model"] as? String == "authors")
            #expect(fields.first { $0["name"] as? String == "price" }?["help_text"] is NSNull)
            // By id as well as by slug.
            #expect(try await session.call("/models/\(try #require(blog["id"] as? String))").status == .ok)
            // Better i18n's own route, by organization and project slug.
            let bySlug = try await session.partner.call(
                "/api/oauth-client/organizations/\(world.organization.slug.value)/projects/web/models", token: session.token)
            #expect((try session.object(bySlug)["models"] as? [Any])?.count == 2)
            let otherOrg = try await session.partner.call("/api/oauth-client/organizations/someone-else/projects/web/models", token: session.token)
            #expect(otherOrg.status == .forbidden)
            #expect(try session.object(otherOrg)["error"] as? String == "wrong_organization")

            let renamed = try await session.call("/models/blog", .patch, ["display_name": "Articles", "description": "News"])
            #expect(try session.object(renamed)["display_name"] as? String == "Articles")
            let added = try await session.call("/models/blog/fields", .post, ["name": "rating", "type": "number", "required": false])
            #expect(added.status == .created)
            let changed = try await session.call("/models/blog/fields/rating", .patch, ["required": true, "help_text": "1–5"])
            #expect((try session.object(changed)["fields"] as? [[String: Any]])?.last?["required"] as? Bool == true)
            let removed = try await session.call("/models/blog/fields/rating", .delete)
            #expect((try session.object(removed)["fields"] as? [[String: Any]])?.contains { $0["name"] as? String == "rating" } == false)
            #expect(try await session.call("/models/blog/fields/rating", .delete).status == .notFound)

            // A model that another model's relation points at cannot go; nor one with entries without cascade.
            #expect(try await session.call("/models/authors", .delete).status == .conflict)
            let id = try session.entryID(try await session.createEntry("blog", ["slug": "one", "translations": ["en": ["title": "One"]]]))
            #expect(try await session.call("/models/blog", .delete).status == .conflict)
            #expect(try await session.call("/entries/\(id)").status == .ok)
            #expect(try await session.call("/models/blog?cascade=true", .delete).status == .noContent)
            #expect(try await session.call("/entries/\(id)").status == .notFound)
            #expect(try await session.call("/models/blog").status == .notFound)
        }
    }

    @Test func badModelsAndFieldsAreRefusedNamingTheField() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let session = try await Self.session(client, world)
            try await session.seedModels()
            #expect(try session.itemErrors(try await session.call("/models", .post, ["slug": "Bad Slug"])) == ["slug: invalid_slug"])
            #expect(try await session.call("/models", .post, ["slug": "blog"]).status == .conflict)
            let bad = try await session.call("/models", .post, ["slug": "pages", "fields": [
                ["name": "title", "type": "text"], ["name": "9lives", "type": "text"], ["name": "Upper", "type": "text"],
                ["name": "ok", "type": "colour"], ["name": "choice", "type": "enum"], ["name": "link", "type": "relation", "target_model": "nope"],
                ["name": "dup", "type": "text"], ["name": "dup", "type": "number"],
            ]])
            #expect(Set(try session.itemErrors(bad)) == [
                "fields[0].name: reserved_name", "fields[1].name: invalid_name", "fields[2].name: invalid_name",
                "fields[3].type: invalid_type", "fields[4].enum_values: required", "fields[5].target_model: unknown_model",
                "fields[7].name: duplicate_field",
            ])
            #expect(try await session.call("/models/pages").status == .notFound, "nothing was written")
            #expect(try session.itemErrors(try await session.call("/models/blog/fields", .post, ["name": "status", "type": "text"]))
                    == ["field.name: reserved_name"])
            #expect(try session.itemErrors(try await session.call("/models/blog/fields", .post, ["name": "price", "type": "text"]))
                    == ["field.name: duplicate_field"])
            let unknownMember = try await session.call("/models", .post, ["slug": "x", "colour": "red"])
            #expect(unknownMember.status == .badRequest)
        }
    }

    @Test func valuesOfTheWrongTypeAreRefusedForEveryFieldType() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let session = try await Self.session(client, world)
            try await session.seedModels()
            let author = try session.entryID(try await session.createEntry("authors", ["slug": "ada", "translations": ["en": ["title": "Ada"]]]))
            let cases: [(String, Any, String)] = [
                ("notes", 42, "fields.notes"), ("price", "12", "fields.price"), ("featured", "yes", "fields.featured"),
                ("day", "2026-02-30", "fields.day"), ("day", "30.01.2026", "fields.day"), ("starts_at", "tomorrow", "fields.starts_at"),
                ("tone", "angry", "fields.tone"), ("cover", "http://example.com/a.png", "fields.cover"), ("cover", "not a url", "fields.cover"),
                ("author", 7, "fields.author"), ("related", "ent_x", "fields.related"),
            ]
            for (name, value, path) in cases {
                let response = try await session.createEntry("blog", ["slug": "p-\(name.replacingOccurrences(of: "_", with: "-"))", "fields": [name: value], "translations": ["en": ["title": "T"]]])
                #expect(try session.itemErrors(response) == ["\(path): invalid_value"], "\(name) = \(value): \(String(buffer: response.body))")
            }
            let localized = try await session.createEntry("blog", ["slug": "long", "translations": ["en": [
                "title": "T", "fields": ["subtitle": String(repeating: "x", count: 1001), "summary": false],
            ]]])
            #expect(Set(try session.itemErrors(localized)) == ["translations.en.fields.subtitle: invalid_value", "translations.en.fields.summary: invalid_value"])
            // Where a value goes: shared fields in `fields`, localized ones per language.
            let misplaced = try await session.createEntry("blog", ["slug": "misplaced", "fields": ["subtitle": "x", "nope": 1],
                                                                   "translations": ["en": ["title": "T", "fields": ["price": 1]], "xx-invalid-": ["title": "T"], "fr": ["title": "T"]]])
            #expect(Set(try session.itemErrors(misplaced)) == [
                "fields.subtitle: localized_field", "fields.nope: unknown_field", "translations.en.fields.price: shared_field",
                "translations.xx-invalid-: invalid_language", "translations.fr: invalid_language",
            ])
            // Relations point at entries of the target model only.
            let post = try session.entryID(try await session.createEntry("blog", ["slug": "first", "translations": ["en": ["title": "First"]]]))
            let wrongModel = try await session.createEntry("blog", ["slug": "x", "fields": ["author": post], "translations": ["en": ["title": "T"]]])
            #expect(try session.itemErrors(wrongModel) == ["fields.author: invalid_relation"])
            #expect(try await session.call("/entries/\(author)", .delete).status == .noContent)
            let deleted = try await session.createEntry("blog", ["slug": "x", "fields": ["author": author], "translations": ["en": ["title": "T"]]])
            #expect(try session.itemErrors(deleted) == ["fields.author: invalid_relation"])
            let list = try session.object(try await session.call("/models/blog/entries"))
            #expect((list["entries"] as? [[String: Any]])?.map { $0["slug"] as? String } == ["first"], "no refused write left anything")
            // Good values of every type are kept as given.
            let good = try await session.createEntry("blog", ["slug": "good", "fields": [
                "notes": "**bold**", "price": 9.5, "featured": true, "day": "2026-02-28", "starts_at": "2026-02-28T10:00:00Z",
                "tone": "calm", "cover": "https://cdn.example.com/a.png", "related": [post],
            ], "translations": ["en": ["title": "Good", "body": "# Body", "fields": ["subtitle": "Sub", "summary": "Sum"]]]])
            let entry = try session.object(good)
            #expect(good.status == .created)
            #expect((entry["fields"] as? [String: Any])?["price"] as? Double == 9.5)
            #expect((entry["fields"] as? [String: Any])?["related"] as? [String] == [post])
            #expect(((entry["translations"] as? [String: Any])?["en"] as? [String: Any])?["status"] as? String == "draft")
        }
    }

    @Test func slugsAreUniqueInTheirModelAndSingleModelsHoldOneEntry() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let session = try await Self.session(client, world)
            try await session.seedModels()
            _ = try session.entryID(try await session.createEntry("blog", ["slug": "taken", "translations": ["en": ["title": "A"]]]))
            #expect(try await session.createEntry("blog", ["slug": "taken", "translations": ["en": ["title": "B"]]]).status == .conflict)
            #expect(try session.itemErrors(try await session.createEntry("blog", ["slug": "Not OK", "translations": ["en": ["title": "B"]]]))
                    == ["slug: invalid_slug"])
            // The same slug in another model is fine.
            _ = try session.entryID(try await session.createEntry("authors", ["slug": "taken", "translations": ["en": ["title": "A"]]]))
            #expect(try await session.call("/models", .post, ["slug": "pricing", "kind": "single"]).status == .created)
            _ = try session.entryID(try await session.createEntry("pricing", ["slug": "page", "translations": ["en": ["title": "Pricing"]]]))
            let second = try await session.createEntry("pricing", ["slug": "other", "translations": ["en": ["title": "Again"]]])
            #expect(second.status == .conflict)
            #expect(try session.object(second)["error"] as? String == "conflict")
        }
    }

    @Test func publishingSnapshotsEachLanguageAndChecksRequiredFields() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let session = try await Self.session(client, world)
            try await session.seedModels()
            let id = try session.entryID(try await session.createEntry("blog", ["slug": "post", "translations": [
                "en": ["title": "Hello"], "de": ["title": "Hallo", "fields": ["subtitle": "Untertitel"]],
            ]]))
            // `subtitle` is required: en has none, so nothing is published.
            let refused = try await session.call("/entries/\(id)/publish", .post)
            #expect(try session.itemErrors(refused) == ["translations.en.fields.subtitle: required"])
            #expect(try session.object(try await session.call("/entries/\(id)"))["status"] as? String == "draft")
            let german = try session.object(try await session.call("/entries/\(id)/publish", .post, ["languages": ["de"]]))
            #expect(german["status"] as? String == "published")
            let translations = try #require(german["translations"] as? [String: [String: Any]])
            #expect(translations["de"]?["status"] as? String == "published")
            #expect(translations["en"]?["status"] as? String == "draft")
            #expect(translations["en"]?["published_at"] is NSNull)
            #expect(try session.itemErrors(try await session.call("/entries/\(id)/publish", .post, ["languages": ["fr"]])) == ["languages[0]: unknown_language"])
            // An edit is a draft until published again.
            let edited = try session.object(try await session.call("/entries/\(id)", .patch, ["translations": ["de": ["title": "Hallo Welt"]]]))
            #expect(((edited["translations"] as? [String: [String: Any]])?["de"])?["status"] as? String == "draft")
            let unpublished = try session.object(try await session.call("/entries/\(id)/unpublish", .post))
            #expect(unpublished["status"] as? String == "draft")
            // status "published" on update publishes every language it carries.
            let all = try await session.call("/entries/\(id)", .patch, ["status": "published", "translations": ["en": ["fields": ["subtitle": "Sub"]]]])
            #expect(try session.object(all)["status"] as? String == "published")
            let archived = try await session.call("/entries/\(id)", .patch, ["status": "archived"])
            #expect(try session.object(archived)["status"] as? String == "archived")
            #expect(try session.itemErrors(try await session.call("/entries/\(id)", .patch, ["status": "gone"])) == ["status: invalid_value"])
        }
    }

    @Test func entriesAreListedFilteredSortedAndPaged() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let session = try await Self.session(client, world)
            try await session.seedModels()
            for (index, title) in ["Banana", "apple", "Cherry"].enumerated() {
                world.clock.advance(by: 1)
                _ = try session.entryID(try await session.createEntry("blog", ["slug": title.lowercased(), "fields": ["price": index, "tone": index == 1 ? "loud" : "calm"],
                                                                               "translations": ["en": ["title": title]]]))
            }
            func slugs(_ query: String) async throws -> [String] {
                let response = try await session.call("/models/blog/entries" + query)
                #expect(response.status == .ok, "\(query): \(String(buffer: response.body))")
                return (try session.object(response)["entries"] as? [[String: Any]] ?? []).compactMap { $0["slug"] as? String }
            }
            #expect(try await slugs("") == ["cherry", "apple", "banana"])
            #expect(try await slugs("?sort=title&order=asc") == ["apple", "banana", "cherry"])
            #expect(try await slugs("?search=AN") == ["banana"])
            #expect(try await slugs("?filter%5Btone%5D=loud") == ["apple"])
            #expect(try await slugs("?filter[price]=2") == ["cherry"])
            #expect(try await slugs("?status=published").isEmpty)
            #expect(try await slugs("?language=de").isEmpty)
            let first = try session.object(try await session.call("/models/blog/entries?limit=2"))
            #expect((first["entries"] as? [Any])?.count == 2)
            let cursor = try #require(first["next_cursor"] as? String)
            #expect(try await slugs("?limit=2&cursor=\(cursor)") == ["banana"])
            for bad in ["?sort=price", "?order=up", "?filter[colour]=red", "?status=gone", "?limit=0", "?limit=1001"] {
                let response = try await session.call("/models/blog/entries" + bad)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(try session.object(response)["error"] as? String == "invalid_request")
            }
        }
    }

    @Test func contentScopesGuardReadsWritesAndPublishing() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let owner = try await Self.session(client, world)
            try await owner.seedModels()
            let id = try owner.entryID(try await owner.createEntry("blog", ["slug": "p", "translations": ["en": ["title": "T", "fields": ["subtitle": "S"]]]]))
            let reader = try await owner.partner.installation(scopes: ["content:read"])
            let writer = try await owner.partner.installation(scopes: ["content:read", "content:write"])
            let none = try await owner.partner.installation(scopes: ["org:read"])
            func error(_ response: TestResponse) throws -> (HTTPResponse.Status, String?, String?) {
                let body = try owner.object(response)
                return (response.status, body["error"] as? String, body["required"] as? String)
            }
            #expect(try error(try await owner.call("/models", token: none)) == (.forbidden, "missing_scope", "content:read"))
            #expect(try await owner.call("/entries/\(id)", token: reader).status == .ok)
            #expect(try error(try await owner.createEntry("blog", ["slug": "q", "translations": ["en": ["title": "T"]]], token: reader))
                    == (.forbidden, "missing_scope", "content:write"))
            #expect(try error(try await owner.call("/entries/\(id)/publish", .post, token: writer)) == (.forbidden, "missing_scope", "content:publish"))
            #expect(try error(try await owner.call("/entries/\(id)/unpublish", .post, token: writer)) == (.forbidden, "missing_scope", "content:publish"))
            // A create or update that publishes needs content:publish too, and writes nothing without it.
            #expect(try error(try await owner.createEntry("blog", ["slug": "q", "status": "published", "translations": ["en": ["title": "T"]]], token: writer))
                    == (.forbidden, "missing_scope", "content:publish"))
            #expect(try await owner.call("/models/blog/entries?search=q", token: reader).status == .ok)
            #expect(try error(try await owner.call("/entries/\(id)", .patch, ["status": "published"], token: writer)) == (.forbidden, "missing_scope", "content:publish"))
            #expect(try owner.object(try await owner.call("/entries/\(id)"))["status"] as? String == "draft")
            #expect(try await owner.call("/entries/\(id)", .patch, ["translations": ["en": ["title": "New"]]], token: writer).status == .ok)
            // The other project of the organization, outside a narrowed token.
            let narrowed = try await owner.partner.installation(scopes: ["content:read"], projects: [world.projects[1].id.rawValue])
            #expect(try error(try await owner.call("/models", token: narrowed)).1 == "project_not_granted")
            // An entry id of another project is not found through this project.
            let other = "/api/oauth-client/v1/projects/\(world.projects[1].id.rawValue)/content/entries/\(id)"
            #expect(try await owner.partner.call(other, token: owner.token).status == .notFound)
        }
    }
}
