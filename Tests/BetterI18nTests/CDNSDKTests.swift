@testable import BetterI18nCDN
import BetterI18nCore
import BetterI18nHTTP
import BetterI18nProjects
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §8 as Better i18n's official SDKs read a CDN: manifest → a locale's namespaces → the
/// namespace files (or one `batch.json`) → lookups by dot path → revalidation by `lastModified`.
@Suite struct CDNSDKTests {
    private typealias Setup = PublishingTests.Setup

    private func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    private func text(_ response: TestResponse) -> String {
        String(decoding: response.body.readableBytesView, as: UTF8.self)
    }

    /// `t("auth.login.title")`: the first segment is the namespace, the rest a path of objects.
    private func lookUp(_ messages: [String: Any], _ path: String) -> String? {
        var node: Any? = messages
        for segment in path.split(separator: ".").map(String.init) {
            node = (node as? [String: Any])?[segment]
        }
        return node as? String
    }

    private func seed(_ setup: Setup) async throws {
        let created = try await setup.partner.call(setup.base + "/keys", method: .post, token: setup.token, json: ["keys": [
            ["name": "login.title", "namespace": "auth", "translations": ["en": "Sign in", "de": "Anmelden"]],
            ["name": "login.button.label", "namespace": "auth", "translations": ["en": "Go", "de": "Los"]],
            ["name": "Loading...", "namespace": "auth", "translations": ["en": "Loading...", "de": "Lädt..."]],
            ["name": "greeting", "namespace": "common", "translations": ["en": "Hello", "de": "Hallo"]],
            ["name": "Done. Next", "translations": ["en": "Done. Next", "de": "Fertig. Weiter"]],
            ["name": "only.english", "namespace": "common", "translations": ["en": "English only"]],
        ]])
        #expect(created.status == .created, "\(text(created))")
    }

    private func publish(_ setup: Setup, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let response = try await setup.partner.call(setup.base + "/publish", method: .post, token: setup.token, json: body)
        #expect(response.status == .created)
        return try json(response)
    }

    /// The path part of an absolute CDN URL from the manifest, for the test client.
    private func path(_ url: Any?) throws -> String {
        let text = try #require(url as? String)
        let url = try #require(URL(string: text))
        return url.path + (url.query.map { "?" + $0 } ?? "")
    }

    @Test func anSDKReadsTheCDNAndRevalidatesByLastModified() async throws {
        let world = try await OAuthWorld()
        try await world.storage.addLanguage(ProjectLanguage(
            projectID: world.projects[0].id, code: try LanguageCode("fr"), status: .active, isSource: false, createdAt: world.clock.now()
        ))
        try await world.test { client in
            let setup = try await PublishingTests.setUp(client, world)
            try await seed(setup)
            _ = try await publish(setup)

            // 1. The manifest.
            let manifest = try json(try await client.execute(uri: setup.cdn + "/manifest.json", method: .get,
                                                             headers: [.cacheControl: "no-store"]))
            #expect(manifest["batch"] as? Bool == true)
            #expect(manifest["namespaces"] as? [String] == ["auth", "common", "default"])
            let languages = try #require(manifest["languages"] as? [[String: Any]])
            #expect(languages.map { $0["code"] as? String } == ["de", "en", "fr"], "every language of the project")
            let french = try #require(languages.last)
            #expect(french["keyCount"] as? Int == 0)
            #expect(french["lastUpdated"] is NSNull, "a language with nothing published")
            #expect(french["nativeName"] as? String == "français")
            let files = try #require(manifest["files"] as? [String: [String: Any]])
            #expect(files.keys.sorted() == ["de", "en"], "files only for languages with a published value")
            #expect(try await client.execute(uri: setup.cdn + "/fr.json", method: .get).status == .notFound, "404, never {}")
            #expect(try await client.execute(uri: setup.cdn + "/fr/auth.json", method: .get).status == .notFound)
            let german = try #require(files["de"])
            let updatedAt = try #require(manifest["updatedAt"] as? String)
            #expect(updatedAt.hasSuffix("Z") && updatedAt.count == 24, "milliseconds: \(updatedAt)")
            #expect(german["lastModified"] as? String == updatedAt)
            #expect(languages.first?["lastUpdated"] as? String == updatedAt)

            // 2. A locale's namespaces, each file as listed.
            let namespaces = try #require(german["namespaces"] as? [String: [String: Any]])
            #expect(namespaces.keys.sorted() == ["auth", "common", "default"])
            var messages: [String: Any] = [:]
            for (name, entry) in namespaces {
                let file = try await client.execute(uri: try path(entry["url"]), method: .get, headers: [.acceptEncoding: "gzip, br"])
                #expect(file.status == .ok)
                #expect(try path(entry["url"]).hasSuffix("/v1/de/\(name).json"))
                let plain = try await client.execute(uri: setup.cdn + "/de/\(name).json", method: .get)
                #expect(entry["size"] as? Int == plain.body.readableBytes)
                messages[name] = try JSONSerialization.jsonObject(with: Data(plain.body.readableBytesView))
            }
            // 3. Lookups by dot path; sentence keys stay flat.
            #expect(lookUp(messages, "auth.login.title") == "Anmelden")
            #expect(lookUp(messages, "auth.login.button.label") == "Los")
            #expect((messages["auth"] as? [String: Any])?["Loading..."] as? String == "Lädt...")
            #expect((messages["default"] as? [String: Any])?["Done. Next"] as? String == "Fertig. Weiter")
            #expect(text(try await client.execute(uri: setup.cdn + "/de/auth.json", method: .get))
                    == #"{"Loading...":"Lädt...","login":{"button":{"label":"Los"},"title":"Anmelden"}}"#)

            // The batch file is the same namespaces in one answer; the whole-locale file too.
            let batch = try json(try await client.execute(uri: setup.cdn + "/de/batch.json?ns=auth,common", method: .get))
            #expect(batch.keys.sorted() == ["auth", "common"])
            #expect(NSDictionary(dictionary: batch["auth"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: messages["auth"] as? [String: Any] ?? [:]))
            let whole = try await client.execute(uri: try path(german["url"]), method: .get)   // the Apple SDK: url as given
            #expect(whole.status == .ok)
            #expect(text(whole) == text(try await client.execute(uri: setup.cdn + "/de.json", method: .get)))
            #expect(whole.body.readableBytes == german["size"] as? Int)
            #expect(german["sha256"] as? String == CDNFile(Array(whole.body.readableBytesView)).sha256)
            #expect(lookUp(try json(whole), "common.greeting") == "Hallo")
            let english = try json(try await client.execute(uri: setup.cdn + "/en/common.json", method: .get))
            #expect(lookUp(["common": english], "common.only.english") == "English only")

            // 4. A publish that changes German's common namespace only: German's and common's
            // lastModified move, English's and auth's stay, and the release time moves even
            // though the clock did not.
            let etag = try #require(try await client.execute(uri: setup.cdn + "/de/auth.json", method: .get).headers[.eTag])
            let put = try await setup.partner.call(setup.base + "/translations", method: .put, token: setup.token, json: ["translations": [
                ["key": "greeting", "namespace": "common", "language": "de", "value": "Servus"],
            ]])
            #expect(put.status == .ok)
            _ = try await publish(setup)
            let next = try json(try await client.execute(uri: setup.cdn + "/manifest.json", method: .get))
            let nextFiles = try #require(next["files"] as? [String: [String: Any]])
            let nextUpdatedAt = try #require(next["updatedAt"] as? String)
            #expect(nextUpdatedAt > updatedAt, "\(nextUpdatedAt) after \(updatedAt)")
            #expect(nextFiles["de"]?["lastModified"] as? String == nextUpdatedAt)
            #expect(nextFiles["en"]?["lastModified"] as? String == updatedAt, "English did not change")
            #expect((next["languages"] as? [[String: Any]])?[1]["lastUpdated"] as? String == updatedAt)
            let nextNamespaces = try #require(nextFiles["de"]?["namespaces"] as? [String: [String: Any]])
            #expect(nextNamespaces["common"]?["lastModified"] as? String == nextUpdatedAt)
            #expect(nextNamespaces["auth"]?["lastModified"] as? String == updatedAt)
            #expect(try path(nextNamespaces["auth"]?["url"]).hasSuffix("/v2/de/auth.json"))
            #expect(try await client.execute(uri: setup.cdn + "/de/auth.json", method: .get, headers: [.ifNoneMatch: etag]).status == .notModified)
            #expect(lookUp(["common": try json(try await client.execute(uri: setup.cdn + "/de/common.json", method: .get))], "common.greeting") == "Servus")

            // A publish that changes nothing moves no lastModified; one that deletes a key does.
            _ = try await publish(setup)
            let same = try json(try await client.execute(uri: setup.cdn + "/manifest.json", method: .get))
            #expect((same["files"] as? [String: [String: Any]])?["de"]?["lastModified"] as? String == nextUpdatedAt)
            let keys = try json(try await setup.partner.call(setup.base + "/keys?namespace=common", token: setup.token))["keys"] as? [[String: Any]]
            let onlyEnglish = try #require(keys?.first { $0["name"] as? String == "only.english" }?["id"] as? String)
            #expect(try await setup.partner.call(setup.base + "/keys", method: .delete, token: setup.token, json: ["key_ids": [onlyEnglish]]).status == .ok)
            _ = try await publish(setup)
            let afterDelete = try json(try await client.execute(uri: setup.cdn + "/manifest.json", method: .get))
            let deleteFiles = try #require(afterDelete["files"] as? [String: [String: Any]])
            #expect(deleteFiles["en"]?["lastModified"] as? String == afterDelete["updatedAt"] as? String)
            #expect(deleteFiles["de"]?["lastModified"] as? String == nextUpdatedAt, "German had no value for the deleted key")
        }
    }

    @Test func batchAndLocaleRefusalsAndOddities() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let setup = try await PublishingTests.setUp(client, world)
            try await seed(setup)
            _ = try await publish(setup)
            let auth = text(try await client.execute(uri: setup.cdn + "/de/auth.json", method: .get))
            for query in ["", "?ns", "?ns=", "?ns=,,", "?other=auth", "?ns=%zz",
                          "?ns=" + (0..<1000).map { "n\($0)" }.joined(separator: ",")] {
                let response = try await client.execute(uri: setup.cdn + "/de/batch.json" + query, method: .get)
                #expect(response.status == .badRequest, "\(query.prefix(40))")
                #expect(try json(response)["error"] as? String == "invalid_request")
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
            // Unknown, hostile and repeated names are left out; order does not matter.
            for query in ["?ns=auth,nothing", "?ns=nothing,auth,auth", "?ns=auth,../common,a/b,a%2Fb,..", "?ns=auth&ns=%2e%2e"] {
                let response = try await client.execute(uri: setup.cdn + "/de/batch.json" + query, method: .get)
                #expect(response.status == .ok, "\(query)")
                #expect(text(response) == #"{"auth":"# + auth + "}", "\(query)")
            }
            #expect(text(try await client.execute(uri: setup.cdn + "/de/batch.json?ns=nothing", method: .get)) == "{}")
            let both = try await client.execute(uri: setup.cdn + "/de/batch.json?ns=common,auth", method: .get)
            #expect(text(both).hasPrefix(#"{"auth":"#))
            #expect(both.headers[.cacheControl] == "public, max-age=60, stale-while-revalidate=300")
            let versioned = try await client.execute(uri: setup.cdn + "/v1/de/batch.json?ns=auth", method: .get, headers: [.acceptEncoding: "br"])
            #expect(versioned.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(versioned.headers[.contentEncoding] == "br")
            #expect(try await client.execute(uri: setup.cdn + "/ja/batch.json?ns=auth", method: .get).status == .notFound)

            // Locales in another case or with an underscore name the same files.
            #expect(text(try await client.execute(uri: setup.cdn + "/DE/auth.json", method: .get)) == auth)
            #expect(text(try await client.execute(uri: setup.cdn + "/De.json", method: .get))
                    == text(try await client.execute(uri: setup.cdn + "/de.json", method: .get)))
            #expect(try await client.execute(uri: setup.cdn + "/de/AUTH.json", method: .get).status == .notFound, "namespaces keep their case")

            // CORS: the preflight browsers send for the SDKs' headers, and ETag exposed.
            let preflight = try await client.execute(uri: setup.cdn + "/de/auth.json", method: .options, headers: [
                .origin: "https://app.example", .accessControlRequestMethod: "GET", .accessControlRequestHeaders: "cache-control, if-none-match",
            ])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "*")
            #expect(preflight.headers[.accessControlAllowMethods] == "GET, HEAD")
            #expect(preflight.headers[.accessControlAllowHeaders] == "Cache-Control, If-None-Match, Accept-Encoding")
            #expect(preflight.headers[.accessControlMaxAge] == "86400")
            #expect(try await client.execute(uri: setup.cdn + "/de/auth.json", method: .get).headers[.accessControlExposeHeaders] == "ETag")
            #expect(try await client.execute(uri: setup.cdn + "/nothing.json", method: .get).headers[.accessControlExposeHeaders] == "ETag")
        }
    }

    @Test func keysThatWouldBeBothAValueAndAnObjectAreRefused() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let setup = try await PublishingTests.setUp(client, world)
            func create(_ keys: [[String: Any]], onConflict: String = "skip") async throws -> TestResponse {
                try await setup.partner.call(setup.base + "/keys", method: .post, token: setup.token,
                                             json: ["keys": keys, "on_conflict": onConflict])
            }
            let pair = try await create([["name": "login", "namespace": "auth"], ["name": "login.title", "namespace": "auth"]])
            #expect(pair.status == .unprocessableContent)
            let errors = try #require(try json(pair)["errors"] as? [[String: Any]])
            #expect(errors.map { $0["index"] as? Int } == [1])
            #expect(errors.map { $0["error"] as? String } == ["key_conflict"])
            #expect(try await world.storage.keys(in: world.projects[0].id, includingDeleted: false).isEmpty, "nothing written")

            #expect(try await create([["name": "login.title", "namespace": "auth"], ["name": "Loading...", "namespace": "auth"],
                                      ["name": "login", "namespace": "other"], ["name": "Done. Next"]]).status == .created)
            for onConflict in ["skip", "update", "fail"] {
                for name in ["login", "login.title.text"] {
                    let refused = try await create([["name": name, "namespace": "auth"]], onConflict: onConflict)
                    #expect(refused.status == .unprocessableContent, "\(name) \(onConflict)")
                    #expect((try json(refused)["errors"] as? [[String: Any]])?.first?["error"] as? String == "key_conflict")
                }
            }
            #expect(try await create([["name": "login.title", "namespace": "auth"]]).status == .ok, "an existing key is skipped, not refused")
            #expect(try await create([["name": "Loading", "namespace": "auth"], ["name": "login title", "namespace": "auth"]]).status == .created,
                    "sentence keys and keys of other shapes do not collide")

            // Renames and moves are checked the same way.
            let keys = try json(try await setup.partner.call(setup.base + "/keys", token: setup.token))["keys"] as? [[String: Any]] ?? []
            let other = try #require(keys.first { $0["namespace"] as? String == "other" }?["id"] as? String)
            let moved = try await setup.partner.call(setup.base + "/keys/\(other)", method: .patch, token: setup.token, json: ["namespace": "auth"])
            #expect(moved.status == .unprocessableContent)
            #expect((try json(moved)["errors"] as? [[String: Any]])?.first?["error"] as? String == "key_conflict")
            let title = try #require(keys.first { $0["name"] as? String == "login.title" }?["id"] as? String)
            #expect(try await setup.partner.call(setup.base + "/keys/\(title)", method: .patch, token: setup.token,
                                                 json: ["name": "login.title"]).status == .ok, "renaming a key to itself is no conflict")

            // Reserved and dotted namespaces are refused.
            for namespace in ["batch", "translations", "a.b"] {
                let refused = try await create([["name": "x", "namespace": namespace]])
                #expect(refused.status == .unprocessableContent, "\(namespace)")
                #expect((try json(refused)["errors"] as? [[String: Any]])?.first?["error"] as? String == "invalid_namespace")
            }
        }
    }

    @Test func aPublishMeetingAnOldConflictingPairWarns() async throws {
        let world = try await OAuthWorld()
        let project = world.projects[0]
        let now = world.clock.now()
        // Older data, written before such pairs were refused.
        let keys = try ["login", "login.title"].map {
            TranslationKey(id: .generate(), projectID: project.id, namespace: try NamespaceName("auth"), name: try KeyName($0),
                           description: nil, createdAt: now, updatedAt: now)
        }
        try await world.storage.createKeys(keys, translations: try keys.map {
            Translation(keyID: $0.id, language: try LanguageCode("de"), value: $0.name.value, updatedBy: nil, updatedAt: now)
        })
        try await world.test { client in
            let setup = try await PublishingTests.setUp(client, world)
            let answer = try await publish(setup)
            let warnings = try #require(answer["warnings"] as? [[String: Any]])
            #expect(warnings.count == 1)
            #expect(warnings.first?["key"] as? String == "login")
            #expect(warnings.first?["conflicts_with"] as? String == "login.title")
            #expect(warnings.first?["languages"] as? [String] == ["de"])
            #expect(text(try await client.execute(uri: setup.cdn + "/de/auth.json", method: .get)) == #"{"login":{"title":"login.title"}}"#)
        }
    }
}

/// How CDN paths are read: locales as the manifest writes them, batch names bounded.
@Suite struct CDNAddressTests {
    @Test func localesAreMatchedAsTheManifestWritesThem() throws {
        #expect(CDNCatalog.address("o/p/pt_BR/auth.json")?.file == "pt-br/auth.json")
        #expect(CDNCatalog.address("o/p/PT_br.json")?.file == "pt-br.json")
        #expect(CDNCatalog.address("o/p/v2/DE/batch.json")?.batchLocale == "de")
        #expect(CDNCatalog.address("o/p/v2/DE/batch.json")?.version == 2)
        #expect(CDNCatalog.address("o/p/manifest.json")?.file == "manifest.json")
        #expect(CDNCatalog.address("o/p/de/Checkout.json")?.file == "de/Checkout.json", "namespaces keep their case")
        #expect(CDNCatalog.address("o/p/de/batch.json")?.batchLocale == "de")
        #expect(CDNCatalog.address("o/p/de/x/batch.json") == nil)
    }

    @Test func batchNamesAreBoundedAndDecoded() throws {
        #expect(try CDNCatalog.batchNames("ns=b,a,%61").get() == ["b", "a", "a"])
        #expect(try CDNCatalog.batchNames("x=1&ns=a&ns=b").get() == ["a", "b"])
        for bad: Substring? in [nil, "", "ns", "ns=", "ns=,", "ns=%", "ns=%zz"] {
            #expect(throws: CDNCatalog.BatchQueryError.self, "\(bad ?? "nil")") { try CDNCatalog.batchNames(bad).get() }
        }
        let many = "ns=" + (0...CDNCatalog.maximumBatchNames).map { "n\($0)" }.joined(separator: ",")
        #expect(throws: CDNCatalog.BatchQueryError.self) { try CDNCatalog.batchNames(Substring(many)).get() }
    }
}

/// The fast paths below the router count what they answer in `/metrics`, and compress nothing
/// on the event loop: a first request for an encoding goes to the router, which has the file
/// compressed on the CDN's own thread.
@Suite struct CDNMetricsTests {
    @Test func fastPathAnswersAreCountedAndCompressionHappensOffTheEventLoop() async throws {
        let world = try await OAuthWorld()
        let dependencies = world.server.dependencies
        try await world.seedValue()
        _ = try await dependencies.releases.publish(world.projects[0], languages: nil, by: .operator)
        let path = "/cdn/\(world.organization.slug.value)/web/en.json"
        try await BetterI18nServer.buildApplication(dependencies).test(.live) { client in
            for _ in 0..<3 { #expect(try await client.execute(uri: path, method: .get).status == .ok) }
            let hit = try #require(await { () -> CDNCatalog.Hit? in
                if case .hit(let hit) = try await dependencies.cdn.lookup("\(world.organization.slug.value)/web/en.json") { return hit }
                return nil
            }())
            #expect(hit.file.ready(.br) == nil, "nobody asked for brotli yet")
            for _ in 0..<3 { #expect(try await client.execute(uri: path, method: .get, headers: [.acceptEncoding: "br"]).headers[.contentEncoding] == "br") }
            #expect(hit.file.ready(.br) != nil)
            #expect(try await client.execute(uri: path, method: .head).status == .ok)
            let metrics = String(decoding: try await client.execute(uri: "/metrics", method: .get).body.readableBytesView, as: UTF8.self)
            func count(_ method: String, _ status: Int) -> Int? {
                let line = metrics.split(separator: "\n").first {
                    $0.hasPrefix("better_i18n_http_requests_total{") && $0.contains(#"route="cdn""#)
                        && $0.contains(#"method="\#(method)""#) && $0.contains(#"status="\#(status)""#)
                }
                return line.flatMap { Int($0.split(separator: " ").last ?? "") }
            }
            #expect(count("GET", 200) == 6)
            #expect(count("HEAD", 200) == 1)
        }
    }
}
