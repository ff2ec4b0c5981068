import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §6.2 keys and translations: bulk writes all or nothing, `on_conflict`, ICU checks,
/// soft deletes, filters and scopes.
@Suite struct PartnerKeyTests {
    private func setUp(_ client: any TestClientProtocol, _ world: OAuthWorld,
                       scope: String = "org:read projects:read keys:read keys:write translations:read translations:write")
        async throws -> (PartnerResourceTests.Partner, String, String) {
        let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: scope)
        let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
        return (partner, try await partner.installation(), "/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)")
    }

    private func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func keysAreCreatedWithTranslationsAndListed() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let (partner, token, base) = try await setUp(client, world)
            let created = try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": [
                ["name": "greeting", "translations": ["en": "Hello {name}", "de": "Hallo {name}"]],
                ["name": "pay", "namespace": "checkout", "description": "Pay button"],
            ]])
            #expect(created.status == .created)
            let body = try object(created)
            #expect((body["created"] as? [[String: Any]])?.count == 2)
            let keys = try object(try await partner.call(base + "/keys", token: token))["keys"] as? [[String: Any]]
            #expect(keys?.map { $0["name"] as? String } == ["pay", "greeting"], "ordered by namespace, then name")
            let missing = try object(try await partner.call(base + "/keys?missing_language=de", token: token))["keys"] as? [[String: Any]]
            #expect(missing?.map { $0["name"] as? String } == ["pay"])
            let searched = try object(try await partner.call(base + "/keys?search=GREET", token: token))["keys"] as? [[String: Any]]
            #expect(searched?.map { $0["name"] as? String } == ["greeting"])
            let german = try object(try await partner.call(base + "/translations?languages=de", token: token))["translations"] as? [[String: Any]]
            #expect(german?.count == 1)
            #expect(german?.first?["value"] as? String == "Hallo {name}")
            #expect(german?.first?["key"] as? String == "greeting")
        }
    }

    @Test func oneBadItemWritesNothingAndNamesTheItem() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let (partner, token, base) = try await setUp(client, world)
            let response = try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": [
                ["name": "fine"],
                ["name": "broken", "translations": ["de": "{count, plural, one {x}}"]],
                ["name": "unknown-language", "translations": ["ja": "こんにちは"]],
                ["name": "fine"],
                ["name": "reserved", "namespace": "translations"],
            ]])
            #expect(response.status == .unprocessableContent)
            let errors = try #require(try object(response)["errors"] as? [[String: Any]])
            #expect(errors.map { $0["index"] as? Int } == [1, 2, 3, 4])
            #expect(errors[0]["error"] as? String == "invalid_message_format")
            #expect(errors[0]["offset"] as? Int == 0)
            #expect(errors[1]["error"] as? String == "invalid_language")
            #expect(errors[2]["error"] as? String == "duplicate_key")
            #expect(errors[3]["error"] as? String == "invalid_namespace")
            #expect(try await world.storage.keys(in: world.projects[0].id, includingDeleted: true).isEmpty)
        }
    }

    @Test func moreThanAThousandItemsAre422() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let (partner, token, base) = try await setUp(client, world)
            let items = (0...1000).map { ["name": "k\($0)"] }
            let response = try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": items])
            #expect(response.status == .unprocessableContent)
            let thousand = try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": Array(items.prefix(1000))])
            #expect(thousand.status == .created)
        }
    }

    @Test func onConflictSkipsUpdatesOrFails() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let (partner, token, base) = try await setUp(client, world)
            _ = try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": [["name": "title", "description": "old"]]])
            let skipped = try object(try await partner.call(base + "/keys", method: .post, token: token,
                                                            json: ["keys": [["name": "title", "description": "new"]], "on_conflict": "skip"]))
            #expect((skipped["skipped"] as? [[String: Any]])?.first?["description"] as? String == "old")
            let updated = try object(try await partner.call(base + "/keys", method: .post, token: token, json: [
                "keys": [["name": "title", "description": "new", "translations": ["de": "Titel"]]], "on_conflict": "update",
            ]))
            #expect((updated["updated"] as? [[String: Any]])?.first?["description"] as? String == "new")
            let failed = try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": [["name": "title"]], "on_conflict": "fail"])
            #expect(failed.status == .conflict)
            #expect(try await world.storage.keys(in: world.projects[0].id, includingDeleted: false).count == 1)
        }
    }

    @Test func renamingDeletingAndReusingNames() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let (partner, token, base) = try await setUp(client, world)
            let created = try object(try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": [["name": "a"], ["name": "b"]]]))
            let ids = (created["created"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            let renamed = try await partner.call(base + "/keys/\(ids[0])", method: .patch, token: token, json: ["name": "a2", "namespace": "home"])
            #expect(renamed.status == .ok)
            #expect(try object(renamed)["namespace"] as? String == "home")
            let clash = try await partner.call(base + "/keys/\(ids[1])", method: .patch, token: token, json: ["name": "a2", "namespace": "home"])
            #expect(clash.status == .conflict)
            let unknown = try await partner.call(base + "/keys", method: .delete, token: token, json: ["key_ids": [ids[1], KeyID.generate().rawValue]])
            #expect(unknown.status == .unprocessableContent)
            #expect(try await world.storage.keys(in: world.projects[0].id, includingDeleted: false).count == 2)
            let deleted = try await partner.call(base + "/keys", method: .delete, token: token, json: ["key_ids": [ids[1]]])
            #expect(try object(deleted)["deleted"] as? Int == 1)
            #expect(try await partner.call(base + "/keys/\(ids[1])", method: .patch, token: token, json: ["name": "z"]).status == .notFound)
            #expect(try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": [["name": "b"]]]).status == .created)
        }
    }

    @Test func translationsAreSetAllOrNothingWithOffsets() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let (partner, token, base) = try await setUp(client, world)
            let created = try object(try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": [["name": "hello"]]]))
            let id = try #require((created["created"] as? [[String: Any]])?.first?["id"] as? String)
            let bad = try await partner.call(base + "/translations", method: .put, token: token, json: ["translations": [
                ["key_id": id, "language": "de", "value": "Hallo"],
                ["key": "hello", "namespace": "default", "language": "en", "value": "Hello {name"],
            ]])
            #expect(bad.status == .unprocessableContent)
            let errors = try #require(try object(bad)["errors"] as? [[String: Any]])
            #expect(errors.first?["index"] as? Int == 1)
            #expect(errors.first?["offset"] as? Int == 6)
            #expect(try await world.storage.translations(in: world.projects[0].id).isEmpty)
            let good = try await partner.call(base + "/translations", method: .put, token: token, json: ["translations": [
                ["key_id": id, "language": "DE", "value": "Hallo"],
                ["key": "hello", "language": "en", "value": "Hello"],
            ]])
            #expect(try object(good)["updated"] as? Int == 2)
            let values = try await world.storage.translations(in: world.projects[0].id)
            #expect(values.map(\.language.value).sorted() == ["de", "en"])
            #expect(values.allSatisfy { $0.updatedBy == partner.tokens.grant_id })
        }
    }

    @Test func translationListingsFilterByNamespaceAndKeysAndRenamesAreValidated() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let (partner, token, base) = try await setUp(client, world)
            let created = try object(try await partner.call(base + "/keys", method: .post, token: token, json: ["keys": [
                ["name": "title", "translations": ["en": "Title", "de": "Titel"]],
                ["name": "pay", "namespace": "checkout", "translations": ["en": "Pay"]],
            ]]))
            let ids = (created["created"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            let checkout = try object(try await partner.call(base + "/translations?namespace=checkout", token: token))["translations"] as? [[String: Any]]
            #expect(checkout?.map { $0["key"] as? String } == ["pay"])
            let byKey = try object(try await partner.call(base + "/translations?keys=title&languages=DE", token: token))["translations"] as? [[String: Any]]
            #expect(byKey?.map { $0["value"] as? String } == ["Titel"])
            #expect(try await partner.call(base + "/translations?languages=not+a+code", token: token).status == .badRequest)
            let badName = try await partner.call(base + "/keys/\(ids[0])", method: .patch, token: token, json: ["name": " padded "])
            #expect(badName.status == .unprocessableContent)
            let badNamespace = try await partner.call(base + "/keys/\(ids[0])", method: .patch, token: token, json: ["namespace": "translations"])
            #expect(badNamespace.status == .unprocessableContent)
            let tooMany = try await partner.call(base + "/keys", method: .delete, token: token,
                                                 json: ["key_ids": (0...1000).map { _ in KeyID.generate().rawValue }])
            #expect(tooMany.status == .unprocessableContent)
            #expect(try await world.storage.keys(in: world.projects[0].id, includingDeleted: false).count == 2)
        }
    }

    @Test func writingNeedsTheWriteScopes() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let (partner, _, base) = try await setUp(client, world)
            let readOnly = try await partner.installation(scopes: ["keys:read", "translations:read"])
            let create = try await partner.call(base + "/keys", method: .post, token: readOnly, json: ["keys": [["name": "x"]]])
            #expect(create.status == .forbidden)
            #expect(try object(create)["required"] as? String == "keys:write")
            let put = try await partner.call(base + "/translations", method: .put, token: readOnly, json: ["translations": []])
            #expect(try object(put)["required"] as? String == "translations:write")
            let keysOnly = try await partner.installation(scopes: ["keys:write"])
            let withValues = try await partner.call(base + "/keys", method: .post, token: keysOnly,
                                                    json: ["keys": [["name": "x", "translations": ["en": "X"]]]])
            #expect(try object(withValues)["required"] as? String == "translations:write")
        }
    }

    @Test func glossaryTermsAreUpsertedByTermBehindTheirScopes() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "glossary:read glossary:write")
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let token = try await partner.installation()
            let put = try await partner.call("/api/oauth-client/v1/glossary/terms", method: .put, token: token, json: ["terms": [
                ["term": "Acme", "description": "Brand, never translated", "translations": ["de": "Acme"]],
                ["term": "cart", "translations": ["de": "Warenkorb", "FR": "panier"]],
            ]])
            #expect(put.status == .ok)
            _ = try await partner.call("/api/oauth-client/v1/glossary/terms", method: .put, token: token,
                                       json: ["terms": [["term": "cart", "translations": ["de": "Einkaufswagen"]]]])
            let list = try object(try await partner.call("/api/oauth-client/v1/glossary", token: token))
            let terms = try #require(list["terms"] as? [[String: Any]])
            #expect(terms.map { $0["term"] as? String } == ["Acme", "cart"])
            #expect((terms[1]["translations"] as? [String: String]) == ["de": "Einkaufswagen"])
            #expect(list["next_cursor"] is NSNull)
            let bad = try await partner.call("/api/oauth-client/v1/glossary/terms", method: .put, token: token,
                                             json: ["terms": [["term": "ok"], ["term": ""], ["term": "x", "translations": ["not a code": "y"]]]])
            #expect(bad.status == .unprocessableContent)
            #expect((try object(bad)["errors"] as? [[String: Any]])?.map { $0["index"] as? Int } == [1, 2])
            #expect(try await world.storage.glossary(of: world.organization.id).count == 2)
            let readOnly = try await partner.installation(scopes: ["glossary:read"])
            let refused = try await partner.call("/api/oauth-client/v1/glossary/terms", method: .put, token: readOnly, json: ["terms": []])
            #expect(try object(refused)["required"] as? String == "glossary:write")
        }
    }
}

/// SPEC §6.3 bad input on the partner API: never a 500, nothing written.
@Suite struct PartnerBadInputTests {
    @Test func malformedOversizedAndMistypedBodiesAreRefusedCleanly() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "keys:read keys:write translations:write")
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let token = try await partner.installation()
            let uri = "/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)/keys"
            func post(_ body: ByteBuffer, type: String = "application/json") async throws -> TestResponse {
                try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: type], body: body)
            }
            let malformed = try await post(ByteBuffer(string: "{\"keys\": [}"))
            #expect(malformed.status == .badRequest)
            #expect(malformed.oauthError == "invalid_request")
            let invalidUTF8 = try await post(ByteBuffer(bytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]))
            #expect(invalidUTF8.status == .badRequest)
            let typo = try await post(ByteBuffer(string: #"{"keys":[{"name":"a","translation":{"en":"A"}}]}"#))
            #expect(typo.status == .badRequest)
            #expect(typo.text.contains("keys.[0].translation") || typo.text.contains("translation"))
            let wrongPolicy = try await post(ByteBuffer(string: #"{"keys":[{"name":"a"}],"on_conflict":"merge"}"#))
            #expect(wrongPolicy.status == .badRequest)
            let form = try await post(ByteBuffer(string: "keys=a"), type: "application/x-www-form-urlencoded")
            #expect(form.status == .unsupportedMediaType)
            let huge = try await post(ByteBuffer(repeating: UInt8(ascii: " "), count: 5 * 1024 * 1024 + 10))
            #expect(huge.status == .contentTooLarge)
            #expect(huge.oauthError == "payload_too_large")
            #expect(try await world.storage.keys(in: world.projects[0].id, includingDeleted: true).isEmpty)
        }
    }
}
