import ArgumentParser
import BetterI18nCDN
@testable import BetterI18nCLI
import BetterI18nCore
import BetterI18nHTTP
import BetterI18nProjects
import Foundation
import Glibc
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §6.2 publish, pending changes and releases, and the CDN of §8 that serves releases.
@Suite struct PublishingTests {
    static let scopes = "org:read projects:read keys:read keys:write translations:read translations:write translations:publish"

    struct Setup {
        let partner: PartnerResourceTests.Partner
        let token: String
        let base: String
        let cdn: String
    }

    /// A partner with an installation token for the first project of `world`, and its paths.
    static func setUp(_ client: any TestClientProtocol, _ world: OAuthWorld, scope: String = PublishingTests.scopes) async throws -> Setup {
        let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: scope)
        let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
        return Setup(partner: partner, token: try await partner.installation(),
                     base: "/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)",
                     cdn: "/cdn/\(world.organization.slug.value)/web")
    }

    private func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    private func text(_ response: TestResponse) -> String {
        String(decoding: response.body.readableBytesView, as: UTF8.self)
    }

    private func seedKeys(_ setup: Setup) async throws {
        let created = try await setup.partner.call(setup.base + "/keys", method: .post, token: setup.token, json: ["keys": [
            ["name": "greeting", "translations": ["en": "Hello {name}", "de": "Hallo {name}"]],
            ["name": "farewell", "translations": ["en": "Bye"]],
            ["name": "pay", "namespace": "checkout", "translations": ["en": "Pay", "de": "Zahlen"]],
        ]])
        #expect(created.status == .created)
    }

    private func publish(_ setup: Setup, _ body: [String: Any]? = nil) async throws -> TestResponse {
        try await setup.partner.call(setup.base + "/publish", method: .post, token: setup.token, json: body)
    }

    // MARK: Publishing

    @Test func publishingNeedsTheScopeAndIsAudited() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let withoutScope = try await Self.setUp(client, world, scope: "projects:read translations:read translations:write")
            let refused = try await publish(withoutScope)
            #expect(refused.status == .forbidden)
            #expect(try object(refused)["error"] as? String == "missing_scope")
            #expect(try object(refused)["required"] as? String == "translations:publish")
            #expect(try await world.storage.releases(of: world.projects[0].id).isEmpty)

            let setup = try await Self.setUp(client, world)
            try await seedKeys(setup)
            let published = try await publish(setup)
            #expect(published.status == .created)
            let release = try object(published)
            #expect((release["id"] as? String)?.hasPrefix("rel_") == true)
            #expect(release["version"] as? Int == 1)
            #expect(release["languages"] as? [String] == ["de", "en"])
            #expect((release["manifest_url"] as? String)?.hasSuffix("\(setup.cdn)/v1/manifest.json") == true)
            #expect(release["published_at"] as? String == world.clock.now().iso8601)
            let events = try await world.storage.auditEvents(organization: world.organization.id, limit: 10)
            let event = try #require(events.first { $0.kind == .translationsPublished })
            #expect(event.details["version"] == "1")
            #expect(event.grantID?.rawValue == setup.partner.tokens.grant_id)

            let list = try object(try await setup.partner.call(setup.base + "/releases", token: setup.token))
            #expect((list["releases"] as? [[String: Any]])?.map { $0["version"] as? Int } == [1])
            #expect(list.keys.contains("next_cursor"))
        }
    }

    @Test func pendingChangesShowWhatTheNextPublishChanges() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let setup = try await Self.setUp(client, world)
            try await seedKeys(setup)
            let before = try object(try await setup.partner.call(setup.base + "/pending-changes", token: setup.token))
            let languages = try #require(before["languages"] as? [String: [String: [String]]])
            #expect(languages["en"]?["added"] == ["checkout:pay", "farewell", "greeting"])
            #expect(languages["de"]?["added"] == ["checkout:pay", "greeting"])
            #expect(languages["de"]?["changed"] == [])
            #expect(try await publish(setup).status == .created)
            let clean = try object(try await setup.partner.call(setup.base + "/pending-changes", token: setup.token))
            #expect((clean["languages"] as? [String: [String: [String]]])?["en"] == ["added": [], "changed": [], "deleted": []])

            let keys = try object(try await setup.partner.call(setup.base + "/keys", token: setup.token))["keys"] as? [[String: Any]]
            let farewell = try #require(keys?.first { $0["name"] as? String == "farewell" }?["id"] as? String)
            _ = try await setup.partner.call(setup.base + "/translations", method: .put, token: setup.token, json: ["translations": [
                ["key": "greeting", "namespace": "default", "language": "de", "value": "Servus {name}"],
            ]])
            #expect(try await setup.partner.call(setup.base + "/keys", method: .delete, token: setup.token,
                                                json: ["key_ids": [farewell]]).status == .ok)
            let after = try #require(try object(try await setup.partner.call(setup.base + "/pending-changes", token: setup.token))["languages"]
                as? [String: [String: [String]]])
            #expect(after["de"] == ["added": [], "changed": ["greeting"], "deleted": []])
            #expect(after["en"] == ["added": [], "changed": [], "deleted": ["farewell"]])

            // The status filter tells drafts from published values.
            let drafts = try object(try await setup.partner.call(setup.base + "/translations?status=draft", token: setup.token))
            #expect((drafts["translations"] as? [[String: Any]])?.map { "\($0["language"]!):\($0["key"]!)" } == ["de:greeting"])
            let published = try object(try await setup.partner.call(setup.base + "/translations?status=published&languages=de", token: setup.token))
            #expect((published["translations"] as? [[String: Any]])?.map { $0["key"] as? String } == ["pay"])
            #expect(try await setup.partner.call(setup.base + "/translations?status=final", token: setup.token).status == .badRequest)
        }
    }

    @Test func unknownLanguagesAndBadBodiesPublishNothing() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let setup = try await Self.setUp(client, world)
            let unknown = try await publish(setup, ["languages": ["de", "ja", "not a code"]])
            #expect(unknown.status == .unprocessableContent)
            let errors = try #require(try object(unknown)["errors"] as? [[String: Any]])
            #expect(errors.map { $0["index"] as? Int } == [1, 2])
            #expect(errors.map { $0["error"] as? String } == ["unknown_language", "invalid_language"])
            #expect(try await publish(setup, ["languages": []]).status == .unprocessableContent)
            #expect(try await publish(setup, ["langs": ["de"]]).status == .badRequest)
            #expect(try await publish(setup, ["languages": "de"]).status == .badRequest)
            #expect(try await world.storage.releases(of: world.projects[0].id).isEmpty)
            let other = "/api/oauth-client/v1/projects/\(Identifier<ProjectKind>.generate().rawValue)/publish"
            #expect(try await setup.partner.call(other, method: .post, token: setup.token).status == .notFound)
        }
    }

    // MARK: The CDN

    @Test func theCDNServesOnlyPublishedContent() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let setup = try await Self.setUp(client, world)
            try await seedKeys(setup)
            #expect(try await client.execute(uri: setup.cdn + "/manifest.json", method: .get).status == .notFound,
                    "nothing is served before the first publish")
            #expect(try await publish(setup).status == .created)

            let manifest = try object(try await client.execute(uri: setup.cdn + "/manifest.json", method: .get))
            #expect(manifest["organizationSlug"] as? String == world.organization.slug.value)
            #expect(manifest["projectSlug"] as? String == "web")
            #expect(manifest["sourceLanguage"] as? String == "en")
            #expect(manifest["version"] as? Int == 1)
            #expect(manifest["updatedAt"] as? String == world.clock.now().iso8601Milliseconds)
            #expect(manifest["batch"] as? Bool == true)
            #expect(manifest["namespaces"] as? [String] == ["checkout", "default"])
            let languages = try #require(manifest["languages"] as? [[String: Any]])
            #expect(languages.map { $0["code"] as? String } == ["de", "en"])
            #expect(languages.map { $0["keyCount"] as? Int } == [2, 3])
            #expect(languages.map { $0["isSource"] as? Bool } == [false, true])
            #expect(languages.first?["name"] as? String == "German")
            #expect(languages.first?["nativeName"] as? String == "Deutsch")
            let files = try #require(manifest["files"] as? [String: [String: Any]])
            let german = try #require(files["de"])
            #expect((german["url"] as? String)?.hasSuffix("\(setup.cdn)/v1/de/translations.json") == true)
            #expect((german["namespaces"] as? [String: Any])?.keys.sorted() == ["checkout", "default"])

            let whole = try await client.execute(uri: setup.cdn + "/de.json", method: .get)
            #expect(text(whole) == #"{"checkout":{"pay":"Zahlen"},"default":{"greeting":"Hallo {name}"}}"#)
            #expect(german["size"] as? Int == whole.body.readableBytes)
            #expect(german["sha256"] as? String == CDNFile(Array(whole.body.readableBytesView)).sha256)
            #expect(text(try await client.execute(uri: setup.cdn + "/de/checkout.json", method: .get)) == #"{"pay":"Zahlen"}"#)
            #expect(text(try await client.execute(uri: setup.cdn + "/de/translations.json", method: .get)) == text(whole),
                    "translations.json is every namespace, as the SDKs read it")
            #expect(text(try await client.execute(uri: setup.cdn + "/en/default.json", method: .get)) == #"{"farewell":"Bye","greeting":"Hello {name}"}"#)
            #expect(text(try await client.execute(uri: setup.cdn + "/v1/de.json", method: .get)) == text(whole))

            // Editing changes nothing on the CDN until the next publish; then deleted keys leave.
            _ = try await setup.partner.call(setup.base + "/translations", method: .put, token: setup.token, json: ["translations": [
                ["key": "greeting", "namespace": "default", "language": "de", "value": "Servus {name}"],
            ]])
            let keys = try object(try await setup.partner.call(setup.base + "/keys", token: setup.token))["keys"] as? [[String: Any]]
            let pay = try #require(keys?.first { $0["name"] as? String == "pay" }?["id"] as? String)
            _ = try await setup.partner.call(setup.base + "/keys", method: .delete, token: setup.token, json: ["key_ids": [pay]])
            #expect(text(try await client.execute(uri: setup.cdn + "/de.json", method: .get)) == text(whole))
            #expect(try await publish(setup).status == .created)
            #expect(text(try await client.execute(uri: setup.cdn + "/de.json", method: .get)) == #"{"default":{"greeting":"Servus {name}"}}"#)
            #expect(try await client.execute(uri: setup.cdn + "/de/checkout.json", method: .get).status == .notFound)
            #expect(text(try await client.execute(uri: setup.cdn + "/v1/de.json", method: .get)) == text(whole), "versioned files never change")
            #expect(try object(try await client.execute(uri: setup.cdn + "/manifest.json", method: .get))["version"] as? Int == 2)
        }
    }

    @Test func aPublishOfSomeLanguagesKeepsTheOthers() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let setup = try await Self.setUp(client, world)
            try await seedKeys(setup)
            #expect(try await publish(setup).status == .created)
            let english = text(try await client.execute(uri: setup.cdn + "/en.json", method: .get))
            _ = try await setup.partner.call(setup.base + "/translations", method: .put, token: setup.token, json: ["translations": [
                ["key": "greeting", "namespace": "default", "language": "de", "value": "Servus"],
                ["key": "greeting", "namespace": "default", "language": "en", "value": "Hi"],
            ]])
            let second = try object(try await publish(setup, ["languages": ["DE"]]))
            #expect(second["version"] as? Int == 2)
            #expect(second["languages"] as? [String] == ["de", "en"])
            #expect(text(try await client.execute(uri: setup.cdn + "/en.json", method: .get)) == english)
            #expect(text(try await client.execute(uri: setup.cdn + "/de/default.json", method: .get)) == #"{"greeting":"Servus"}"#)
            let pending = try object(try await setup.partner.call(setup.base + "/pending-changes", token: setup.token))
            #expect((pending["languages"] as? [String: [String: [String]]])?["en"]?["changed"] == ["greeting"])
        }
    }

    @Test func cdnHeadersFollowTheSpec() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let setup = try await Self.setUp(client, world)
            try await seedKeys(setup)
            #expect(try await publish(setup).status == .created)

            let latest = try await client.execute(uri: setup.cdn + "/de.json", method: .get)
            #expect(latest.status == .ok)
            #expect(latest.headers[.cacheControl] == "public, max-age=60, stale-while-revalidate=300")
            #expect(latest.headers[.contentType] == "application/json; charset=utf-8")
            #expect(latest.headers[.accessControlAllowOrigin] == "*")
            #expect(latest.headers[.vary] == "Accept-Encoding")
            #expect(latest.headers[.setCookie] == nil)
            #expect(latest.headers[.contentEncoding] == nil)
            let etag = try #require(latest.headers[.eTag])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && !etag.hasPrefix("W/"), "a strong validator")
            #expect(etag == "\"\(CDNFile(Array(latest.body.readableBytesView)).sha256.prefix(32))\"", "from the content hash")

            let versioned = try await client.execute(uri: setup.cdn + "/v1/de.json", method: .get)
            #expect(versioned.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(versioned.headers[.eTag] == etag)

            let notModified = try await client.execute(uri: setup.cdn + "/de.json", method: .get, headers: [.ifNoneMatch: "\"nope\", \(etag)"])
            #expect(notModified.status == .notModified)
            #expect(notModified.body.readableBytes == 0)
            #expect(notModified.headers[.eTag] == etag)
            #expect(try await client.execute(uri: setup.cdn + "/de.json", method: .get, headers: [.ifNoneMatch: "\"other\""]).status == .ok)

            let head = try await client.execute(uri: setup.cdn + "/de.json", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.eTag] == etag)
            #expect(head.headers[.contentLength] == String(latest.body.readableBytes))

            let gzip = try await client.execute(uri: setup.cdn + "/de.json", method: .get, headers: [.acceptEncoding: "gzip, deflate"])
            #expect(gzip.headers[.contentEncoding] == "gzip")
            #expect(gzip.headers[.eTag] != etag, "each encoding has its own strong validator")
            #expect(Compression.gunzip(Array(gzip.body.readableBytesView)) == Array(latest.body.readableBytesView))
            let brotli = try await client.execute(uri: setup.cdn + "/de.json", method: .get, headers: [.acceptEncoding: "gzip;q=0.8, br"])
            #expect(brotli.headers[.contentEncoding] == "br")
            #expect(Compression.unbrotli(Array(brotli.body.readableBytesView)) == Array(latest.body.readableBytesView))
            let refusedBr = try await client.execute(uri: setup.cdn + "/de.json", method: .get, headers: [.acceptEncoding: "br;q=0, gzip;q=0.5"])
            #expect(refusedBr.headers[.contentEncoding] == "gzip")
            let identity = try await client.execute(uri: setup.cdn + "/de.json", method: .get, headers: [.acceptEncoding: "identity"])
            #expect(identity.headers[.contentEncoding] == nil)
            let revalidated = try await client.execute(uri: setup.cdn + "/de.json", method: .get,
                                                       headers: [.acceptEncoding: "br", .ifNoneMatch: try #require(brotli.headers[.eTag])])
            #expect(revalidated.status == .notModified)

            let preflight = try await client.execute(uri: setup.cdn + "/de.json", method: .options)
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "*")
            let post = try await client.execute(uri: setup.cdn + "/de.json", method: .post)
            #expect(post.status == .methodNotAllowed)
            #expect(try object(post)["error"] as? String == "method_not_allowed")
        }
    }

    @Test func unknownAndHostilePathsAre404JSON() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let setup = try await Self.setUp(client, world)
            try await seedKeys(setup)
            #expect(try await publish(setup).status == .created)
            let org = world.organization.slug.value
            let paths = [
                "/cdn/nobody/web/manifest.json", "/cdn/\(org)/nothing/manifest.json", "/cdn/\(org)/web/ja.json",
                "/cdn/\(org)/web/de/nothing.json", "/cdn/\(org)/web/v2/de.json", "/cdn/\(org)/web/v0/de.json",
                "/cdn/\(org)/web/v01/de.json", "/cdn/\(org)/web/v1/v1/de.json", "/cdn/\(org)/web/de.json/",
                "/cdn/\(org)/web/../web/de.json", "/cdn/\(org)/web/de/../de.json", "/cdn/\(org)/web/de%2Fdefault.json",
                "/cdn/\(org)/web/%2e%2e/web/de.json", "/cdn/\(org)/web//de.json", "/cdn/\(org)/web/de/default",
                "/cdn/\(org)/web/" + String(repeating: "a", count: 5000) + ".json", "/cdn/\(org)", "/cdn/", "/cdn",
                "/cdn/\(org)/web/de.json.gz", "/cdn/\(org)/web/ja/batch.json?ns=default",
            ]
            for path in paths {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path.prefix(80))")
                #expect(try object(response)["error"] as? String == "not_found", "\(path.prefix(80))")
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.setCookie] == nil)
            }
        }
    }

    @Test func exportMatchesWhatTheServerServesByteForByte() async throws {
        let world = try await OAuthWorld()
        let databasePath = try #require(world.databasePath)
        try await world.test { client in
            let setup = try await Self.setUp(client, world)
            try await seedKeys(setup)
            #expect(try await publish(setup).status == .created)
            _ = try await setup.partner.call(setup.base + "/translations", method: .put, token: setup.token, json: ["translations": [
                ["key": "greeting", "namespace": "default", "language": "de", "value": "Grüß dich, \"{name}\" \\ ✓"],
            ]])
            #expect(try await publish(setup).status == .created)

            let out = FileManager.default.temporaryDirectory.appendingPathComponent("cdn-export-\(Unique.suffix())")
            var command = try BetterI18nCommand.parseAsRoot([
                "cdn", "export", "--out", out.path, "--database-url", "sqlite://" + databasePath,
                "--cdn-url", world.server.dependencies.configuration.cdnURL.absoluteString,
            ])
            if var asyncCommand = command as? any AsyncParsableCommand { try await asyncCommand.run() } else { try command.run() }

            let root = out.appendingPathComponent(world.organization.slug.value).appendingPathComponent("web")
            let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
            var checked = 0
            while let relative = enumerator.nextObject() as? String {
                var isDirectory: ObjCBool = false
                FileManager.default.fileExists(atPath: root.appendingPathComponent(relative).path, isDirectory: &isDirectory)
                guard !isDirectory.boolValue else { continue }
                let exported = try Data(contentsOf: root.appendingPathComponent(relative))
                let (path, encoding) = relative.hasSuffix(".gz") ? (String(relative.dropLast(3)), "gzip")
                    : relative.hasSuffix(".br") ? (String(relative.dropLast(3)), "br") : (relative, "identity")
                let served = try await client.execute(uri: setup.cdn + "/" + path, method: .get, headers: [.acceptEncoding: encoding])
                #expect(served.status == .ok, "\(relative)")
                if path.hasSuffix("manifest.json") {
                    // The exported manifest says "batch":false (a static host cannot answer
                    // batch.json) and is otherwise the served one.
                    let servedText = try Self.decoded(Array(served.body.readableBytesView), encoding)
                    let exportedText = try Self.decoded(Array(exported), encoding)
                    #expect(exportedText.contains(#""batch":false"#))
                    #expect(exportedText == servedText.replacingOccurrences(of: #""batch":true"#, with: #""batch":false"#), "\(relative)")
                } else {
                    #expect(Data(served.body.readableBytesView) == exported, "\(relative) matches what the server sends")
                }
                checked += 1
            }
            // 2 releases × (manifest + 2 locales × (whole + 2 namespaces + translations.json)) + latest, each × 3 encodings
            #expect(checked == 3 * 3 * 9)
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("v2/de/translations.json.br").path))
        }
    }
}

extension PublishingTests {
    static func decoded(_ bytes: [UInt8], _ encoding: String) throws -> String {
        let plain: [UInt8]?
        switch encoding {
        case "gzip": plain = Compression.gunzip(bytes)
        case "br": plain = Compression.unbrotli(bytes)
        default: plain = bytes
        }
        return String(decoding: try #require(plain), as: UTF8.self)
    }
}

/// The canonical JSON of released files: stable bytes, RFC 8259 escapes, readable by any parser.
@Suite struct CanonicalJSONTests {
    @Test func escapesOnlyWhatJSONRequiresAndRoundTrips() throws {
        let tree: [String: [String: String]] = [
            "b": ["z": "last", "a": "quote \" backslash \\ slash / tab \t newline \n bell \u{07} é ✓ 😀"],
            "a": [:],
        ]
        let text = ReleaseContent.render(tree).content
        #expect(text == #"{"a":{},"b":{"a":"quote \" backslash \\ slash / tab \t newline \n bell \u0007 é ✓ 😀","z":"last"}}"#)
        #expect(try ReleaseContent.parse(text) == tree)
        #expect(ReleaseContent.render(tree).content == text, "the same tree always gives the same bytes")
    }

    @Test func namespaceSlicesAreTheNamespacesRenderedAlone() throws {
        let tree: [String: [String: String]] = [
            "default": ["a": "{ braces } and \"quotes\" \\", "b": "}"], "checkout": [:], "x.y-z_1": ["k": "✓"],
        ]
        let slices = try #require(ReleaseContent.namespaceSlices(Array(ReleaseContent.render(tree).content.utf8)))
        #expect(slices.map(\.name) == ["checkout", "default", "x.y-z_1"])
        for slice in slices {
            let alone = ReleaseContent.render([slice.name: tree[slice.name] ?? [:]]).content
            #expect("{\"\(slice.name)\":" + String(decoding: slice.bytes, as: UTF8.self) + "}" == alone)
        }
        let nested = try #require(ReleaseContent.namespaceSlices(Array(#"{"a":{"b":{"c":"d}"}},"e":{}}"#.utf8)))
        #expect(nested.map { "\($0.name)=" + String(decoding: $0.bytes, as: UTF8.self) } == [#"a={"b":{"c":"d}"}}"#, "e={}"])
        #expect(ReleaseContent.namespaceSlices(Array(#"{"a":{"b":"c"}"#.utf8)) == nil)
        #expect(ReleaseContent.namespaceSlices(Array("{}".utf8))?.isEmpty == true)
    }
}

/// The event-loop fast path (``CDNFastPath``) on a real listener answers exactly as the router does.
@Suite struct CDNFastPathTests {
    @Test func aFileInMemoryIsAnsweredAsTheRouterAnswersIt() async throws {
        let world = try await OAuthWorld()
        let dependencies = world.server.dependencies
        let project = world.projects[0]
        try await world.seedValue()
        _ = try await dependencies.releases.publish(project, languages: nil, by: .operator)
        let path = "/cdn/\(world.organization.slug.value)/web/en.json"
        try await BetterI18nServer.buildApplication(dependencies).test(.live) { client in
            for headers: HTTPFields in [[:], [.acceptEncoding: "br"], [.acceptEncoding: "gzip"]] {
                let cold = try await client.execute(uri: path, method: .get, headers: headers)   // through the router
                let warm = try await client.execute(uri: path, method: .get, headers: headers)   // from memory
                #expect(cold.status == .ok && warm.status == .ok)
                #expect(Data(cold.body.readableBytesView) == Data(warm.body.readableBytesView))
                for name in [HTTPFields.Element.Name.contentType, .cacheControl, .eTag, .vary, .accessControlAllowOrigin, .contentEncoding, .contentLength] {
                    #expect(cold.headers[name] == warm.headers[name], "\(name)")
                }
                let etag = try #require(warm.headers[.eTag])
                var conditional = headers
                conditional[.ifNoneMatch] = etag
                let notModified = try await client.execute(uri: path, method: .get, headers: conditional)
                #expect(notModified.status == .notModified)
                #expect(notModified.body.readableBytes == 0)
            }
            let head = try await client.execute(uri: path, method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(try await client.execute(uri: path + "x", method: .get).status == .notFound)
            // Other routes still reach the router behind the fast path on the same connection.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: path, method: .get).status == .ok)
        }
    }
}

/// Raw HTTP/1.1 over a socket, to send exactly the bytes a test means (pipelining, split heads).
struct RawHTTPConnection {
    let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        struct Refused: Error {}
        guard connected == 0 else { throw Refused() }
    }

    func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, 0) }
    }

    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    /// Reads one answer per method given (a HEAD answer has no body whatever its length says).
    ///
    /// The blocking `recv` runs on a Dispatch thread, never on the cooperative pool: there it held
    /// one of the pool's threads (two on this machine) while the server under test needed them,
    /// so two such tests at once starved the server until the socket's 5 s timeout.
    func read(_ methods: [String]) async -> [Answer] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: readBlocking(methods)) }
        }
    }

    /// Whether the server closed the connection (waits up to the socket's timeout), off the
    /// cooperative pool like ``read(_:)``.
    var isClosed: Bool {
        get async {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var byte: UInt8 = 0
                    continuation.resume(returning: recv(socket, &byte, 1, 0) == 0)
                }
            }
        }
    }

    private func readBlocking(_ methods: [String]) -> [Answer] {
        var data: [UInt8] = []
        var answers: [Answer] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while answers.count < methods.count {
            if let answer = Self.parse(&data, head: methods[answers.count] == "HEAD") {
                answers.append(answer)
                continue
            }
            let count = recv(socket, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            data += chunk[0..<count]
        }
        return answers
    }

    func close() { _ = Glibc.close(socket) }

    private static func parse(_ data: inout [UInt8], head: Bool) -> Answer? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, data.count - 3)).first(where: { Array(data[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let length = head ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        guard data.count >= end + 4 + length else { return nil }
        let body = String(decoding: data[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        data.removeFirst(end + 4 + length)
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        return Answer(status: status, headers: headers, body: body)
    }
}

extension CDNFastPathTests {
    @Test func rawRequestsArePipelinedInOrderAndAnythingUnusualTakesTheNormalPath() async throws {
        let world = try await OAuthWorld()
        let dependencies = world.server.dependencies
        let project = world.projects[0]
        try await world.seedValue()
        _ = try await dependencies.releases.publish(project, languages: nil, by: .operator)
        let path = "/cdn/\(world.organization.slug.value)/web/en.json"
        try await BetterI18nServer.buildApplication(dependencies).test(.live) { client in
            let port = try #require(client.port)
            let get = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let warm = try RawHTTPConnection(port: port)
            defer { warm.close() }
            warm.send(get)
            let expected = try #require(await warm.read(["GET"]).first)
            #expect(expected.status == 200)

            // Pipelined: a miss (answered by the router) before two hits, all in one write.
            let miss = "GET /cdn/nobody/web/en.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let head = "HEAD \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let conditional = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: \(expected.headers["etag"] ?? "")\r\n\r\n"
            let brotli = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip, br\r\n\r\n"
            warm.send(get + miss + get + head + conditional + brotli)
            let answers = await warm.read(["GET", "GET", "GET", "HEAD", "GET", "GET"])
            #expect(answers.map(\.status) == [200, 404, 200, 200, 304, 200])
            #expect(answers[0].body == expected.body && answers[2].body == expected.body)
            #expect(answers[1].headers["content-type"] == "application/json; charset=utf-8")
            #expect(answers[3].headers["content-length"] == expected.headers["content-length"])
            #expect(answers[5].headers["content-encoding"] == "br")
            #expect(answers[0].headers.filter { $0.key != "date" } == expected.headers.filter { $0.key != "date" },
                    "the raw path sends the router's headers")

            // A head split across writes is still one request.
            warm.send(String(get.prefix(20)))
            try await Task.sleep(for: .milliseconds(50))
            warm.send(String(get.dropFirst(20)))
            #expect(await warm.read(["GET"]).first?.body == expected.body)

            // A body sends the connection the normal way for good; it keeps working.
            warm.send("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}" + get)
            #expect(await warm.read(["POST", "GET"]).map(\.status) == [405, 200])

            // Connection: close is honoured (the router answers and closes).
            let closing = try RawHTTPConnection(port: port)
            defer { closing.close() }
            closing.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(await closing.read(["GET"]).first?.body == expected.body)
            #expect(await closing.isClosed)
        }
    }
}
