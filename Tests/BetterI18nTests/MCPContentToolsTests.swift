import BetterI18nCore
import BetterI18nMCP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §10 MCP tools over `{api}/mcp`: Better i18n's argument names, the same REST checks
/// (scopes, typed values naming the field), and the scope checked before the arguments.
@Suite struct MCPContentToolsTests {
    private func rpc(_ client: any TestClientProtocol, token: String, session: String? = nil, _ body: [String: Any]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json", .accept: "application/json, text/event-stream", .authorization: "Bearer \(token)"]
        if let session {
            headers[.init("Mcp-Session-Id")!] = session
            headers[.init("MCP-Protocol-Version")!] = "2025-06-18"
        }
        return try await client.execute(uri: "/mcp", method: .post, headers: headers,
                                        body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }

    private func session(_ client: any TestClientProtocol, _ token: String) async throws -> String {
        let response = try await rpc(client, token: token, ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": [
            "protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"],
        ]])
        let session = try #require(response.headers[.init("Mcp-Session-Id")!])
        _ = try await rpc(client, token: token, session: session, ["jsonrpc": "2.0", "method": "notifications/initialized"])
        return session
    }

    private func tool(_ client: any TestClientProtocol, _ token: String, _ session: String, _ name: String,
                      _ arguments: [String: Any]) async throws -> (isError: Bool, text: String) {
        let response = try await rpc(client, token: token, session: session, [
            "jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": ["name": name, "arguments": arguments],
        ])
        let raw = String(decoding: response.body.readableBytesView, as: UTF8.self)
        let json = raw.split(separator: "\n").first { $0.hasPrefix("data: {") }.map { String($0.dropFirst(6)) } ?? raw
        let message = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let result = try #require(message["result"] as? [String: Any])
        let text = (result["content"] as? [[String: Any]])?.compactMap { $0["text"] as? String }.joined(separator: "\n") ?? ""
        return (result["isError"] as? Bool ?? false, text)
    }

    @Test func contentToolsWriteReadAndPublishThroughTheRESTChecks() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: ContentAPITests.contentScopes)
            let token = try await PartnerResourceTests.Partner(client: client, world: world, tokens: tokens).installation()
            let session = try await session(client, token)
            let project = "\(world.organization.slug.value)/web"

            let model = try await tool(client, token, session, "createContentModel", [
                "project": project, "slug": "blog", "displayName": "Blog",
                "fields": [["name": "price", "type": "number"], ["name": "subtitle", "type": "text", "localized": true, "required": true]],
            ])
            #expect(!model.isError, "\(model.text)")
            #expect(model.text.contains("price: number"))
            let field = try await tool(client, token, session, "addContentField",
                                       ["project": project, "modelSlug": "blog", "name": "cover", "type": "media"])
            #expect(!field.isError && field.text.contains("cover: media"), "\(field.text)")
            #expect(try await tool(client, token, session, "listContentModels", ["project": project]).text.contains("blog"))
            #expect(try await tool(client, token, session, "getContentModel", ["project": project, "modelSlug": "blog"]).text.contains("subtitle"))

            let bad = try await tool(client, token, session, "createContentEntry", [
                "project": project, "modelSlug": "blog", "slug": "hello", "fields": ["price": "ten"],
                "translations": ["en": ["title": "Hello"]],
            ])
            #expect(bad.isError)
            #expect(bad.text.contains("validation_failed") && bad.text.contains("fields.price"), "\(bad.text)")

            let created = try await tool(client, token, session, "createContentEntry", [
                "project": project, "modelSlug": "blog", "slug": "hello", "fields": ["price": 10],
                "translations": ["en": ["title": "Hello", "fields": ["subtitle": "Hi"]], "de": ["title": "Hallo"]],
            ])
            #expect(!created.isError, "\(created.text)")
            let entryID = try #require(created.text.range(of: #"ent_[0-9A-Za-z]{20}"#, options: .regularExpression).map { String(created.text[$0]) })
            let required = try await tool(client, token, session, "publishContentEntry", ["project": project, "entryId": entryID])
            #expect(required.isError && required.text.contains("translations.de.fields.subtitle"), "\(required.text)")
            let published = try await tool(client, token, session, "publishContentEntry",
                                           ["project": project, "entryId": entryID, "languages": ["en"]])
            #expect(!published.isError && published.text.contains("published"), "\(published.text)")
            let listed = try await tool(client, token, session, "listContentEntries", ["project": project, "modelSlug": "blog", "status": "published"])
            #expect(listed.text.contains(entryID))
            let updated = try await tool(client, token, session, "updateContentEntry",
                                         ["project": project, "entryId": entryID, "translations": ["de": ["fields": ["subtitle": "Servus"]]]])
            #expect(!updated.isError, "\(updated.text)")
            #expect(try await tool(client, token, session, "getContentEntry", ["project": project, "entryId": entryID]).text.contains("Servus"))
            let unpublished = try await tool(client, token, session, "unpublishContentEntry", ["project": project, "entryId": entryID])
            #expect(!unpublished.isError && unpublished.text.contains("draft"))
            #expect(!(try await tool(client, token, session, "deleteContentEntry", ["project": project, "entryId": entryID]).isError))
            #expect(try await tool(client, token, session, "getContentEntry", ["project": project, "entryId": entryID]).text.contains("not_found"))
        }
    }

    @Test func theScopeIsCheckedBeforeTheArguments() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "org:read projects:read content:read")
            let token = try await PartnerResourceTests.Partner(client: client, world: world, tokens: tokens).installation()
            let session = try await session(client, token)
            // No slug, no model, no translations: still the scope is what is wrong.
            let write = try await tool(client, token, session, "createContentEntry", ["project": world.projects[0].id.rawValue])
            #expect(write.isError && write.text.contains("missing_scope") && write.text.contains("content:write"), "\(write.text)")
            let publish = try await tool(client, token, session, "publishContentEntry", [:])
            #expect(publish.isError && publish.text.contains("content:publish"), "\(publish.text)")
            let model = try await tool(client, token, session, "createContentModel", ["project": world.projects[0].id.rawValue])
            #expect(model.text.contains("content:write"))
            #expect(!(try await tool(client, token, session, "listContentModels", ["project": world.projects[0].id.rawValue]).isError))
        }
    }

    @Test func theContentToolsAreListedWithAnnotations() {
        let names = Set(PartnerTools.definitions.map(\.name))
        #expect(names.isSuperset(of: ["listContentModels", "getContentModel", "createContentModel", "addContentField", "listContentEntries",
                                      "getContentEntry", "createContentEntry", "updateContentEntry", "publishContentEntry",
                                      "unpublishContentEntry", "deleteContentEntry"]))
        let byName = Dictionary(uniqueKeysWithValues: PartnerTools.definitions.map { ($0.name, $0) })
        #expect(byName["listContentEntries"]?.annotations.readOnlyHint == true)
        #expect(byName["deleteContentEntry"]?.annotations.destructiveHint == true)
    }
}
