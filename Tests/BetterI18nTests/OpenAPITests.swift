import BetterI18nAPI
import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §6.2: the OpenAPI document describes every partner route and its scope, and the server
/// agrees — each documented operation exists, wants the documented token, and refuses a token
/// without the documented scope with `missing_scope` naming it.
@Suite struct OpenAPITests {
    @Test func theDocumentAndTheServerAgreeOnRoutesTokensAndScopes() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let response = try await client.execute(uri: "/api/oauth-client/v1/openapi.json", method: .get)
            #expect(response.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
            #expect(paths.count >= 12)

            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "org:read")
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            // A token with one unrelated scope: every scoped route must refuse it by name.
            let installation = try await partner.installation()
            let keyID = KeyID.generate().rawValue
            var checked = 0
            for (template, operations) in paths {
                let path = template
                    .replacingOccurrences(of: "{grantId}", with: tokens.grant_id)
                    .replacingOccurrences(of: "{orgId}", with: world.organization.id.rawValue)
                    .replacingOccurrences(of: "{projectId}", with: world.projects[0].id.rawValue)
                    .replacingOccurrences(of: "{keyId}", with: keyID)
                    .replacingOccurrences(of: "{projectSlug}", with: world.projects[0].slug.value)
                    .replacingOccurrences(of: "{model}", with: "blog")
                    .replacingOccurrences(of: "{name}", with: "title")
                    .replacingOccurrences(of: "{entryId}", with: "ent_00000000000000000000")
                for (method, operation) in operations {
                    let verb = HTTPRequest.Method(rawValue: method.uppercased())!
                    let anonymous = try await client.execute(uri: path, method: verb)
                    #expect(anonymous.status == .unauthorized, "\(method) \(template) must exist and want a token")
                    let description = operation["description"] as? String ?? ""
                    if let scope = operation["x-required-scope"] as? String, scope != "org:read" {
                        let refused = try await partner.call(path, method: verb, token: installation, json: [:])
                        #expect(refused.status == .forbidden, "\(method) \(template)")
                        let body = try JSONSerialization.jsonObject(with: Data(refused.body.readableBytesView)) as? [String: Any]
                        #expect(body?["error"] as? String == "missing_scope", "\(method) \(template)")
                        #expect(body?["required"] as? String == scope, "\(method) \(template)")
                    }
                    if !description.contains("installation token") {
                        let wrongKind = try await partner.call(path, method: verb, token: installation, json: [:])
                        #expect(wrongKind.status == .unauthorized, "\(method) \(template) refuses installation tokens")
                    }
                    checked += 1
                }
            }
            #expect(checked == 37)
        }
    }
}

/// JSON read with JSONDecoder, which tells `true` from `1` on every platform, as plain values:
/// strings, ``WireInteger``, ``WireBoolean``, doubles, arrays, `[String: Any]`, `NSNull`.
struct WireInteger { let value: Int }
struct WireBoolean { let value: Bool }

private struct WireJSON: Decodable {
    let value: Any

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [Any] = []
            while !array.isAtEnd { items.append(try array.decode(WireJSON.self).value) }
            value = items
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: Any] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(WireJSON.self, forKey: key).value }
            value = members
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { value = NSNull() }
        else if let bool = try? single.decode(Bool.self) { value = WireBoolean(value: bool) }
        else if let int = try? single.decode(Int.self) { value = WireInteger(value: int) }
        else if let double = try? single.decode(Double.self) { value = double }
        else { value = try single.decode(String.self) }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func parse(_ data: Data) throws -> Any { try JSONDecoder().decode(WireJSON.self, from: data).value }
}

/// Every documented answer matches its schema in `BetterI18nAPI`: each required field present
/// (`null` only where documented), no undocumented field, every type as written. So the
/// OpenAPI document, the server and typed clients cannot drift apart.
@Suite struct WireShapeTests {
    static let allScopes = "org:read projects:read projects:write keys:read keys:write translations:read translations:write "
        + "translations:publish glossary:read glossary:write"

    /// What is wrong with `value` as an instance of `schema`, by JSON path.
    static func problems(_ value: Any, _ schema: Schema, at path: String = "$") -> [String] {
        let components = Dictionary(uniqueKeysWithValues: Endpoints.components.map { ($0.schemaName, $0.schema) })
        switch schema {
        case .any:
            return []
        case .string, .dateTime, .enumeration:
            guard let text = value as? String else { return ["\(path): not a string"] }
            if case .enumeration(let values) = schema, !values.contains(text) { return ["\(path): '\(text)' not one of \(values)"] }
            if case .dateTime = schema, ISO8601DateFormatter().date(from: text) == nil { return ["\(path): '\(text)' not a date-time"] }
            return []
        case .integer:
            return value is WireInteger ? [] : ["\(path): not an integer"]
        case .boolean:
            return value is WireBoolean ? [] : ["\(path): not a boolean"]
        case .array(let items):
            guard let array = value as? [Any] else { return ["\(path): not an array"] }
            return array.enumerated().flatMap { problems($1, items, at: "\(path)[\($0)]") }
        case .map(let values):
            guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
            return object.flatMap { problems($1, values, at: "\(path).\($0)") }
        case .nullable(let inner):
            return value is NSNull ? [] : problems(value, inner, at: path)
        case .ref(let name):
            guard let resolved = components[name] else { return ["\(path): unknown component \(name)"] }
            return problems(value, resolved, at: path)
        case .object(let properties):
            guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
            var found: [String] = []
            for property in properties {
                guard let member = object[property.name] else {
                    if property.required { found.append("\(path).\(property.name): missing") }
                    continue
                }
                found += problems(member, property.schema, at: "\(path).\(property.name)")
            }
            let documented = Set(properties.map(\.name))
            found += object.keys.filter { !documented.contains($0) }.map { "\(path).\($0): not documented" }
            return found
        }
    }

    @Test func theCheckerFindsMissingExtraAndMistypedFields() {
        let key: [String: Any] = ["id": "key_1", "name": "a", "namespace": "default", "description": NSNull(),
                                  "created_at": "2026-11-30T00:00:00Z", "updated_at": "2026-11-30T00:00:00Z"]
        #expect(Self.problems(key, .ref(BetterI18nAPI.Key.self)).isEmpty)
        var missing = key
        missing["description"] = nil
        #expect(Self.problems(missing, .ref(BetterI18nAPI.Key.self)) == ["$.description: missing"])
        var extra = key
        extra["secret"] = "x"
        #expect(Self.problems(extra, .ref(BetterI18nAPI.Key.self)) == ["$.secret: not documented"])
        #expect(Self.problems(["deleted": "3"], .ref(DeletedCount.self)) == ["$.deleted: not an integer"])
        #expect(Self.problems(["deleted": WireBoolean(value: true)], .ref(DeletedCount.self)) == ["$.deleted: not an integer"])
    }

    /// The content routes (SPEC §10) answer exactly their documented shapes too.
    @Test func everyContentAnswerMatchesItsDocumentedSchema() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let session = try await ContentAPITests.session(client, world)
            let project = world.projects[0].id.rawValue
            func check(_ endpoint: Endpoint, _ parameters: [String: String] = [:], query: String = "", body: [String: Any]? = nil) async throws -> [String: Any] {
                let response = try await session.partner.call(endpoint.path(parameters) + query, method: .init(rawValue: endpoint.method.rawValue)!,
                                                              token: session.token, json: body)
                #expect(response.status.code == endpoint.success, "\(endpoint.operationID): \(response.status) \(String(buffer: response.body))")
                let value = try WireJSON.parse(Data(response.body.readableBytesView))
                let found = Self.problems(value, try #require(endpoint.response))
                #expect(found.isEmpty, "\(endpoint.operationID): \(found)")
                return value as? [String: Any] ?? [:]
            }
            try await session.seedModels()
            let model = ["projectId": project, "model": "blog"]
            _ = try await check(Endpoints.createContentModel, ["projectId": project], body: ["slug": "pages", "kind": "single"])
            _ = try await check(Endpoints.listContentModels, ["projectId": project])
            _ = try await check(Endpoints.listContentModelsBySlug, ["orgId": world.organization.slug.value, "projectSlug": "web"])
            _ = try await check(Endpoints.getContentModel, model)
            _ = try await check(Endpoints.updateContentModel, model, body: ["description": "News"])
            _ = try await check(Endpoints.addContentField, model, body: ["name": "rating", "type": "enum",
                                                                        "enum_values": [["label": "Good", "value": "good"]]])
            _ = try await check(Endpoints.updateContentField, model.merging(["name": "rating"]) { a, _ in a }, body: ["help_text": "How good"])
            _ = try await check(Endpoints.deleteContentField, model.merging(["name": "rating"]) { a, _ in a })
            let entry = try await check(Endpoints.createContentEntry, model, body: [
                "slug": "post", "fields": ["price": 1.5, "featured": true, "related": [String]()],
                "translations": ["en": ["title": "Post", "body": "# B", "fields": ["subtitle": "S"]], "de": ["title": "Beitrag"]],
            ])
            let entryID = try #require(entry["id"] as? String)
            let entryPath = ["projectId": project, "entryId": entryID]
            _ = try await check(Endpoints.listContentEntries, model)
            _ = try await check(Endpoints.getContentEntry, entryPath)
            _ = try await check(Endpoints.updateContentEntry, entryPath, body: ["translations": ["de": ["fields": ["subtitle": "U"]]]])
            _ = try await check(Endpoints.publishContentEntry, entryPath)
            _ = try await check(Endpoints.unpublishContentEntry, entryPath, body: ["languages": ["de"]])
        }
    }

    @Test func everyAnswerMatchesItsDocumentedSchema() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: Self.allScopes)
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let minted = try await client.execute(
                uri: Endpoints.mintInstallationToken.path(["grantId": tokens.grant_id]), method: .post,
                headers: [.authorization: "Bearer \(tokens.access_token)"]
            )
            let token = try #require(try WireJSON.parse(Data(minted.body.readableBytesView)) as? [String: Any])
            #expect(Self.problems(token, Endpoints.mintInstallationToken.response!).isEmpty)
            let installation = try #require(token["installation_token"] as? String)
            let project = world.projects[0].id.rawValue

            func check(_ endpoint: Endpoint, _ parameters: [String: String] = [:], query: String = "", body: [String: Any]? = nil) async throws {
                let response = try await partner.call(endpoint.path(parameters) + query, method: .init(rawValue: endpoint.method.rawValue)!,
                                                      token: installation, json: body)
                #expect(response.status.code == endpoint.success || (endpoint.success == 201 && response.status == .ok),
                        "\(endpoint.operationID): \(response.status)")
                let value = try WireJSON.parse(Data(response.body.readableBytesView))
                let found = Self.problems(value, try #require(endpoint.response))
                #expect(found.isEmpty, "\(endpoint.operationID): \(found)")
            }
            try await check(Endpoints.createKeys, ["projectId": project], body: ["keys": [
                ["name": "plain"], ["name": "described", "description": "A key", "translations": ["en": "Hello", "de": "Hallo"]],
            ]])
            try await check(Endpoints.setTranslations, ["projectId": project], body: ["translations": [
                ["key": "plain", "namespace": "default", "language": "en", "value": "Plain"],
            ]])
            try await check(Endpoints.upsertGlossaryTerms, body: ["terms": [["term": "Checkout"], ["term": "Cart", "description": "d"]]])
            try await check(Endpoints.publish, ["projectId": project])
            try await check(Endpoints.me)
            try await check(Endpoints.listOrganizations)
            try await check(Endpoints.listProjects, ["orgId": world.organization.id.rawValue])
            try await check(Endpoints.getProject, ["projectId": project])
            try await check(Endpoints.listKeys, ["projectId": project])
            try await check(Endpoints.listKeys, ["projectId": project], query: "?limit=1")
            try await check(Endpoints.listTranslations, ["projectId": project])
            try await check(Endpoints.pendingChanges, ["projectId": project])
            try await check(Endpoints.listReleases, ["projectId": project])
            try await check(Endpoints.listGlossary)
            try await check(Endpoints.addLanguage, ["projectId": project], body: ["code": "fr"])
            // The body is the file: this JSON object is a json-flat file of one key.
            try await check(Endpoints.importTranslations, ["projectId": project], query: "?format=json-flat&language=en",
                            body: ["imported": "Imported"])
            try await check(Endpoints.createProject, body: ["name": "Docs", "slug": "docs", "sourceLanguage": "en"])

            // A key without a description says so with null, as typed clients expect.
            let keys = try await partner.call(Endpoints.listKeys.path(["projectId": project]), token: installation)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(keys.body.readableBytesView)) as? [String: Any])
            let plain = try #require((list["keys"] as? [[String: Any]])?.first { $0["name"] as? String == "plain" })
            #expect(plain.keys.contains("description") && plain["description"] is NSNull)

            // Errors have the documented shape too.
            let refused = try await partner.call(Endpoints.getProject.path(["projectId": "prj_nope"]), token: installation)
            let error = try WireJSON.parse(Data(refused.body.readableBytesView))
            #expect(Self.problems(error, .ref(BetterI18nAPI.ErrorBody.self)).isEmpty)
        }
    }
}
