import BetterI18nCore
@testable import BetterI18nHTTP
@testable import BetterI18nMCP
import Logging
@testable import BetterI18nCLI
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §9 over Streamable HTTP at `{api}/mcp`, through the router: the token check and its
/// challenge, sessions bound to their grant, and tools that go through the REST checks.
@Suite struct MCPEndpointTests {
    static let accept = "application/json, text/event-stream"

    private func rpc(_ client: any TestClientProtocol, token: String?, session: String? = nil,
                     _ body: [String: Any]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json", .accept: Self.accept]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let session {
            headers[.init("Mcp-Session-Id")!] = session
            headers[.init("MCP-Protocol-Version")!] = "2025-06-18"
        }
        return try await client.execute(uri: "/mcp", method: .post, headers: headers,
                                        body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }

    /// The JSON-RPC message of a response, whether sent as JSON or as one SSE event.
    private func message(_ response: TestResponse) throws -> [String: Any] {
        let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
        let json = text.split(separator: "\n").first { $0.hasPrefix("data: {") }.map { String($0.dropFirst(6)) } ?? text
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    private func initialize(_ client: any TestClientProtocol, token: String) async throws -> String {
        let response = try await rpc(client, token: token, ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": [
            "protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"],
        ]])
        #expect(response.status == .ok)
        let session = try #require(response.headers[.init("Mcp-Session-Id")!])
        _ = try await rpc(client, token: token, session: session, ["jsonrpc": "2.0", "method": "notifications/initialized"])
        return session
    }

    private func callTool(_ client: any TestClientProtocol, token: String, session: String, _ name: String,
                          _ arguments: [String: Any]) async throws -> (isError: Bool, text: String) {
        let response = try await rpc(client, token: token, session: session, [
            "jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": ["name": name, "arguments": arguments],
        ])
        let result = try #require(try message(response)["result"] as? [String: Any])
        let text = (result["content"] as? [[String: Any]])?.compactMap { $0["text"] as? String }.joined(separator: "\n") ?? ""
        return (result["isError"] as? Bool ?? false, text)
    }

    @Test func withoutAValidInstallationTokenTheEndpointPointsAtItsMetadata() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let metadata = "\(world.issuer)/.well-known/oauth-protected-resource/mcp"
            let anonymous = try await rpc(client, token: nil, ["jsonrpc": "2.0", "id": 1, "method": "initialize"])
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == #"Bearer resource_metadata="\#(metadata)""#)
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "org:read projects:read")
            let wrongKind = try await rpc(client, token: tokens.access_token, ["jsonrpc": "2.0", "id": 1, "method": "initialize"])
            #expect(wrongKind.status == .unauthorized, "an access token is not an installation token")
            #expect(wrongKind.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)

            let installation = try await PartnerResourceTests.Partner(client: client, world: world, tokens: tokens).installation()
            let session = try await initialize(client, token: installation)
            #expect(try await callTool(client, token: installation, session: session, "listProjects", [:]).isError == false)
            world.clock.advance(by: world.server.dependencies.configuration.installationTokenTTL + 1)
            let expired = try await rpc(client, token: installation, session: session, ["jsonrpc": "2.0", "id": 2, "method": "tools/list"])
            #expect(expired.status == .unauthorized, "an expired token is refused, session or not")
            #expect(expired.headers[.wwwAuthenticate]?.contains("resource_metadata=") == true)
        }
    }

    @Test func filesGoInAndOutAsTextWithTheRESTScopes() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: FileTransferTests.scopes)
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let token = try await partner.installation()
            let session = try await initialize(client, token: token)
            let project = "\(world.organization.slug.value)/web"
            let po = "msgid \"\"\nmsgstr \"\"\n\"Language: de\\n\"\n\nmsgctxt \"title\"\nmsgid \"Welcome\"\nmsgstr \"Willkommen\"\n"
            let imported = try await callTool(client, token: token, session: session, "importTranslations",
                                              ["project": project, "format": "po", "file": po])
            #expect(!imported.isError, "\(imported.text)")
            #expect(imported.text.contains("created 1"))
            let exported = try await callTool(client, token: token, session: session, "exportTranslations",
                                              ["project": project, "format": "json-flat", "languages": ["de"]])
            #expect(exported.text == "{\n  \"title\": \"Willkommen\"\n}\n")
            let both = try await callTool(client, token: token, session: session, "exportTranslations", ["project": project, "format": "json"])
            #expect(both.text.contains("=== default/en.json ===") && both.text.contains("=== default/de.json ==="))
            let refused = try await callTool(client, token: token, session: session, "importTranslations",
                                             ["project": project, "format": "json-flat", "language": "de", "file": "{\n\"a\": \"{oops\"\n}"])
            #expect(refused.isError)
            #expect(refused.text.contains("validation_failed") && refused.text.contains("line 2, key 'a'"))
            let readOnly = try await partner.installation(scopes: ["projects:read", "translations:read"])
            let readSession = try await initialize(client, token: readOnly)
            let denied = try await callTool(client, token: readOnly, session: readSession, "importTranslations",
                                            ["project": project, "format": "json-flat", "language": "de", "file": "{}"])
            #expect(denied.isError && denied.text.contains("missing_scope") && denied.text.contains("keys:write"))
        }
    }

    @Test func toolsGoThroughTheRESTChecks() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "org:read projects:read keys:read")
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let token = try await partner.installation()
            let session = try await initialize(client, token: token)

            let list = try await rpc(client, token: token, session: session, ["jsonrpc": "2.0", "id": 3, "method": "tools/list"])
            let tools = try #require((try message(list)["result"] as? [String: Any])?["tools"] as? [[String: Any]])
            #expect(tools.count == 24)

            let projects = try await callTool(client, token: token, session: session, "listProjects", [:])
            #expect(!projects.isError)
            #expect(projects.text.contains("\(world.organization.slug.value)/web"))
            let publish = try await callTool(client, token: token, session: session, "publishTranslations",
                                             ["project": world.projects[0].id.rawValue])
            #expect(publish.isError)
            #expect(publish.text.contains("missing_scope") && publish.text.contains("translations:publish"))
            #expect(try await world.storage.releases(of: world.projects[0].id).isEmpty)
            let write = try await callTool(client, token: token, session: session, "createKeys",
                                           ["project": world.projects[0].id.rawValue, "keys": [["name": "a"]]])
            #expect(write.isError && write.text.contains("keys:write"))

            // A session answers only with a token: a made-up session id is not found.
            let unknown = try await rpc(client, token: token, session: "no-such-session", ["jsonrpc": "2.0", "id": 4, "method": "tools/list"])
            #expect(unknown.status == .notFound)

            // Revoking the grant: the endpoint refuses its tokens at once, naming the reason.
            let uninstall = try await client.execute(uri: "/api/oauth-client/installations/\(tokens.grant_id)", method: .delete,
                                                     headers: [.authorization: "Bearer \(tokens.access_token)"])
            #expect(uninstall.status == .noContent)
            let revoked = try await rpc(client, token: token, session: session, ["jsonrpc": "2.0", "id": 5, "method": "tools/list"])
            #expect(revoked.status == .unauthorized)
            #expect(String(decoding: revoked.body.readableBytesView, as: UTF8.self).contains("grant_revoked"))
        }
    }
}

/// `better-i18n mcp` start-up checks (SPEC §9): only an installation token starts the server.
@Suite struct MCPCommandTests {
    private func failure(_ key: String?) -> String? {
        do {
            _ = try MCPCommand.checkKey(key)
            return nil
        } catch {
            return (error as? CommandFailure)?.message
        }
    }

    @Test func onlyAnInstallationTokenIsAccepted() throws {
        let random = SystemRandomSource()
        #expect(failure(Secret(kind: .installationToken, random: random).value) == nil)
        #expect(failure(nil)?.contains("not set") == true)
        #expect(failure("  ")?.contains("not set") == true)
        #expect(failure("sk-1234")?.contains("not a Better i18n token") == true)
        #expect(failure(Secret(kind: .publicContentKey, random: random).value)?.contains("public Content API key (bi_pub_)") == true)
        #expect(failure(Secret(kind: .accessToken, random: random).value)?.contains("OAuth access token (bi_at_)") == true)
        #expect(failure(Secret(kind: .refreshToken, random: random).value)?.contains("not an installation token") == true)
        var typo = Secret(kind: .installationToken, random: random).value
        let last = typo.removeLast()
        typo.append(last == "A" ? "B" : "A")   // always a different last character
        #expect(failure(typo)?.contains("checksum") == true)
    }
}

/// Defects found by reading (issue: cost that grows with the page): an MCP session runs only
/// with the token that opened it or a newer, no wider one; overwriting tools say so; the stdio
/// server never sends its token over plain http to another host; session ids stay out of logs.
@Suite struct MCPSessionBindingTests {
    private func rpc(_ client: any TestClientProtocol, token: String, session: String? = nil, _ body: [String: Any]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json", .accept: MCPEndpointTests.accept, .authorization: "Bearer \(token)"]
        if let session {
            headers[.init("Mcp-Session-Id")!] = session
            headers[.init("MCP-Protocol-Version")!] = "2025-06-18"
        }
        return try await client.execute(uri: "/mcp", method: .post, headers: headers,
                                        body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }

    @Test func aSessionAcceptsOnlyItsTokenOrANewerNoWiderOne() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: "org:read projects:read keys:read")
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let narrow = try await partner.installation(scopes: ["org:read", "projects:read"])
            let opened = try await rpc(client, token: narrow, ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": [
                "protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"],
            ]])
            let session = try #require(opened.headers[.init("Mcp-Session-Id")!])
            let list: [String: Any] = ["jsonrpc": "2.0", "id": 2, "method": "tools/list"]
            #expect(try await rpc(client, token: narrow, session: session, list).status == .ok)

            world.clock.advance(by: 60)
            // A newer token of the same grant with more scopes may not take the session over.
            let wider = try await partner.installation()
            #expect(try await rpc(client, token: wider, session: session, list).status == .notFound)
            #expect(try await rpc(client, token: narrow, session: session, list).status == .ok, "the opening token still holds it")

            world.clock.advance(by: 60)
            // A newer token no wider than the opener's takes it over; the old one is then refused.
            let renewed = try await partner.installation(scopes: ["org:read", "projects:read"])
            #expect(try await rpc(client, token: renewed, session: session, list).status == .ok)
            #expect(try await rpc(client, token: narrow, session: session, list).status == .notFound)
        }
    }

    @Test func toolsThatOverwriteValuesAreMarkedDestructive() {
        let destructive = Set(PartnerTools.definitions.filter { $0.annotations.destructiveHint == true }.map(\.name))
        #expect(destructive.isSuperset(of: ["createKeys", "updateKeys", "setTranslations", "deleteKeys"]))
        #expect(PartnerTools.definitions.filter { $0.annotations.readOnlyHint == true }.allSatisfy { !destructive.contains($0.name) })
    }

    @Test func theStdioServerSendsItsTokenOnlyOverHTTPSOrToLoopback() throws {
        for allowed in ["https://api.example.com", "http://127.0.0.1:8080", "http://localhost:9000", "http://[::1]:8080", nil] {
            #expect(throws: Never.self, "\(allowed ?? "default")") { _ = try MCPCommand.checkURL(allowed) }
        }
        for refused in ["http://api.example.com", "http://10.0.0.5:8080", "http://127.0.0.1.example.com"] {
            #expect(throws: CommandFailure.self, "\(refused)") { _ = try MCPCommand.checkURL(refused) }
        }
    }

    @Test func theTransportLogsNoSessionIDsAtTheDefaultLevel() {
        var logger = Logger(label: "test")
        logger.logLevel = .info
        #expect(MCPRoutes.transportLogger(logger).logLevel >= .warning)
        logger.logLevel = .error
        #expect(MCPRoutes.transportLogger(logger).logLevel == .error)
    }
}
