import BetterI18nCore
import BetterI18nHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A fuzz pass over every route of SPEC §5 (authorization server), §6 (partner API) and §8 (CDN):
/// thousands of malformed requests — wrong types, huge and deeply nested JSON, invalid UTF-8, NUL
/// bytes, absurd lengths, duplicated parameters, every token kind in every place. Never a 5xx,
/// never a token or secret echoed in an answer or the log, and `/healthz` still answers.
@Suite struct FuzzTests {
    /// SplitMix64, seeded, so a failing run can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Route {
        let method: HTTPRequest.Method
        let path: String
    }

    @Test func thousandsOfMalformedRequestsNeverGetA5xxOrEchoASecret() async throws {
        let capture = LogCapture()
        let world = try await OAuthWorld(logger: capture.logger()) {
            $0.accessTokenTTL = 86_400
            $0.installationTokenTTL = 86_400
        }
        let organization = world.organization
        let project = world.projects[0]
        try await world.seedValue()
        _ = try await world.server.dependencies.releases.publish(project, languages: nil, by: .operator)
        let seed = UInt64(ProcessInfo.processInfo.environment["BETTER_I18N_FUZZ_SEED"] ?? "") ?? 0x6269_3138
        let count = Int(ProcessInfo.processInfo.environment["BETTER_I18N_FUZZ_COUNT"] ?? "") ?? 3000
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens(scope: Scope.allCases.map(\.rawValue).joined(separator: " "))
            try await driver.signIn()   // the session cookie is one of the secrets sent everywhere
            let installation = try await PartnerResourceTests.Partner(client: client, world: world, tokens: tokens).installation()
            let grant = tokens.grant_id
            let secrets = [tokens.access_token, tokens.refresh_token, installation, world.webSecret, world.password,
                           try #require(driver.jar["bi_session"])]
            // Every secret but the password (which the fuzz never types) is sent everywhere.
            let tokenPool = secrets.filter { $0 != world.password } + [
                "bi_oat_" + String(repeating: "A", count: 38), "bi_at_x", "bi_pub_" + String(repeating: "0", count: 38),
                Secret(kind: .authorizationCode, random: SystemRandomSource()).value, "", " ", "Bearer", "\u{0}", String(repeating: "b", count: 70_000),
            ]
            let base = "/api/oauth-client/v1/projects/"
            let ids = [project.id.rawValue, world.projects[1].id.rawValue, ProjectID.generate().rawValue, "prj_", "../../etc/passwd",
                       "%00", "%FF%FE", String(repeating: "p", count: 5000), organization.id.rawValue, grant]
            let routes: [Route] = [
                .init(method: .get, path: "/.well-known/oauth-authorization-server"),
                .init(method: .get, path: "/api/auth/mcp/authorize"), .init(method: .post, path: "/api/auth/mcp/authorize"),
                .init(method: .get, path: "/api/auth/mcp/authorize?" + FormEncoding.encode([
                    ("client_id", world.web.id.rawValue), ("redirect_uri", OAuthWorld.redirect), ("response_type", "code"),
                ])),
                .init(method: .post, path: "/api/auth/mcp/token"), .init(method: .post, path: "/api/auth/mcp/revoke"),
                .init(method: .post, path: "/api/auth/mcp/introspect"), .init(method: .post, path: "/api/auth/mcp/register"),
                .init(method: .get, path: "/.well-known/oauth-protected-resource"), .init(method: .get, path: "/api/oauth-client/me"),
                .init(method: .get, path: "/api/oauth-client/v1/openapi.json"),
                .init(method: .post, path: "/api/oauth-client/installations/{id}/tokens"),
                .init(method: .delete, path: "/api/oauth-client/installations/{id}"),
                .init(method: .get, path: "/api/oauth-client/organizations"),
                .init(method: .get, path: "/api/oauth-client/organizations/{id}/projects"),
                .init(method: .post, path: "/api/oauth-client/v1/projects"),
                .init(method: .get, path: base + "{id}"), .init(method: .post, path: base + "{id}/languages"),
                .init(method: .get, path: base + "{id}/keys"), .init(method: .post, path: base + "{id}/keys"),
                .init(method: .patch, path: base + "{id}/keys/{id}"), .init(method: .delete, path: base + "{id}/keys"),
                .init(method: .get, path: base + "{id}/translations"), .init(method: .put, path: base + "{id}/translations"),
                .init(method: .get, path: base + "{id}/pending-changes"), .init(method: .post, path: base + "{id}/publish"),
                .init(method: .get, path: base + "{id}/releases"),
                .init(method: .get, path: "/api/oauth-client/v1/glossary"), .init(method: .put, path: "/api/oauth-client/v1/glossary/terms"),
                .init(method: .get, path: "/cdn/\(organization.slug.value)/web/manifest.json"),
                .init(method: .get, path: "/cdn/\(organization.slug.value)/web/{id}.json"),
                .init(method: .get, path: "/cdn/\(organization.slug.value)/web/en/{id}.json"),
                .init(method: .get, path: "/cdn/\(organization.slug.value)/web/v1/en.json"),
                .init(method: .get, path: "/cdn/{id}/{id}/manifest.json"),
                .init(method: .get, path: base + "{id}/content/models"), .init(method: .post, path: base + "{id}/content/models"),
                .init(method: .patch, path: base + "{id}/content/models/{id}"), .init(method: .delete, path: base + "{id}/content/models/{id}"),
                .init(method: .post, path: base + "{id}/content/models/{id}/fields"),
                .init(method: .get, path: base + "{id}/content/models/{id}/entries"),
                .init(method: .post, path: base + "{id}/content/models/{id}/entries"),
                .init(method: .patch, path: base + "{id}/content/entries/{id}"), .init(method: .post, path: base + "{id}/content/entries/{id}/publish"),
                .init(method: .get, path: "/v1/content/\(organization.slug.value)/web/models"),
                .init(method: .get, path: "/v1/content/\(organization.slug.value)/web/models/{id}/entries"),
                .init(method: .get, path: "/v1/content/{id}/{id}/models/{id}/entries/{id}"),
            ]
            let parameterNames = ["grant_type", "code", "refresh_token", "client_id", "client_secret", "redirect_uri", "code_verifier",
                                  "scope", "resource", "token", "token_type_hint", "response_type", "state", "code_challenge",
                                  "code_challenge_method", "request_id", "csrf_token", "decision", "organization_id", "project_ids",
                                  "limit", "cursor", "namespace", "search", "missing_language", "languages", "keys", "status", "ns",
                                  "language", "page", "sort", "order", "fields", "expand", "filter[price]", "cascade"]
            let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            let deepObject = String(repeating: "{\"a\":", count: 20_000) + "1" + String(repeating: "}", count: 20_000)
            let jsonBodies = [
                "{}", "[]", "null", "true", "1e309", "-0", "\"\"", deep, deepObject, "{\"keys\":5}", "{\"keys\":[1,2,3]}",
                "{\"keys\":[{\"name\":null}]}", "{\"keys\":[{\"name\":\"a\",\"translations\":{\"de\":{\"x\":1}}}]}",
                "{\"translations\":[{\"key\":\"a\",\"language\":[],\"value\":5}]}", "{\"key_ids\":\"all\"}", "{\"terms\":{}}",
                "{\"scopes\":5,\"project_ids\":\"x\"}", "{\"scopes\":[null],\"project_ids\":[[]]}", "{\"languages\":[\"\u{0}\"]}",
                "{\"code\":\"" + String(repeating: "x", count: 200_000) + "\"}", "{\"name\":\"\\ud800\",\"slug\":\"a\",\"sourceLanguage\":1}",
                "{\"redirect_uris\":[\"javascript:alert(1)\"],\"client_name\":{}}", "{\"redirect_uris\":\"https://evil.example/cb\"}",
                "{\"a\":1,\"a\":2}", "{" + String(repeating: "\"k\":1,", count: 50_000) + "\"k\":1}", "{\"keys\":[" +
                    Array(repeating: "{\"name\":\"k\"}", count: 1500).joined(separator: ",") + "]}",
            ]
            let contentTypes = ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x",
                                "application/json; charset=utf-16", "", "\u{7F}", String(repeating: "a", count: 10_000)]

            var random = Generator(state: seed)
            func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
            func junk(_ length: Int) -> [UInt8] { (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) } }
            func value() -> String {
                switch Int.random(in: 0..<8, using: &random) {
                case 0: pick(tokenPool)
                case 1: pick(ids)
                case 2: String(decoding: junk(Int.random(in: 0..<40, using: &random)), as: UTF8.self)
                case 3: String(repeating: "z", count: Int.random(in: 1000...70_000, using: &random))
                case 4: "99999999999999999999999"
                case 5: "-1"
                case 6: "\u{0}\u{0}%00"
                default: pick(["S256", "plain", "code", "token", "authorization_code", "refresh_token", "approve", "org:read", "https://evil.example/cb"])
                }
            }
            func query() -> String {
                (0..<Int.random(in: 0..<6, using: &random)).map { _ in
                    let name = pick(parameterNames)
                    // `state` is echoed to the client by design (RFC 6749 §4.1.2): no secrets there.
                    let raw = name == "state" ? String(decoding: junk(Int.random(in: 0..<30, using: &random)), as: UTF8.self) : value()
                    let pair = name + "=" + (raw.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
                    return Bool.random(using: &random) ? pair + "&" + pair : pair
                }.joined(separator: "&")
            }

            var failures: [String] = []
            var leaks: [String] = []
            for index in 0..<count {
                // Keep per-minute limits from hiding the deeper code paths.
                if index % 50 == 49 { world.clock.advance(by: 61) }
                let route = pick(routes)
                var path = route.path
                while let range = path.range(of: "{id}") { path.replaceSubrange(range, with: pick(ids)) }
                if Bool.random(using: &random) { path += (path.contains("?") ? "&" : "?") + query() }
                var headers: HTTPFields = [:]
                let credential = pick(tokenPool)
                switch Int.random(in: 0..<7, using: &random) {
                case 0: headers[.authorization] = "Bearer " + credential
                case 1: headers[.authorization] = "Basic " + Data("\(pick([world.web.id.rawValue, world.native.id.rawValue, credential])):\(credential)".utf8).base64EncodedString()
                case 2: headers[HTTPFields.Element.Name("x-api-key")!] = credential
                case 3: headers[.authorization] = pick(["Bearer", "Basic !!!", "Digest x", "bearer  " + credential + " extra"])
                case 4: headers[.cookie] = "bi_session=" + credential
                default: break
                }
                headers[.contentType] = pick(contentTypes)
                if Bool.random(using: &random) { headers[.accept] = pick(["*/*", "text/html", "application/json;q=x"]) }
                if Int.random(in: 0..<4, using: &random) == 0 { headers[.acceptEncoding] = pick(["gzip, br", "br;q=abc", "*;q=0", "\u{1}"]) }
                if Int.random(in: 0..<4, using: &random) == 0 { headers[.ifNoneMatch] = pick(["*", "\"abc\"", "W/\"x\"", String(repeating: ",", count: 5000)]) }
                if route.method == .delete, path.contains("/installations/"), headers[.authorization] == "Bearer " + tokens.access_token {
                    headers[.authorization] = "Bearer " + installation // keep the grant for the rest of the run
                }
                var body: ByteBuffer?
                switch Int.random(in: 0..<7, using: &random) {
                case 5: body = ByteBuffer(string: "{\"" + pick(["scopes", "project_ids", "languages", "key_ids", "redirect_uris"]) + "\":[\""
                                          + pick(tokenPool) + "\"]}")
                case 0: body = ByteBuffer(string: pick(jsonBodies))
                case 1: body = ByteBuffer(string: query())
                case 2: body = ByteBuffer(bytes: junk(Int.random(in: 0..<4096, using: &random)))
                case 3: body = ByteBuffer(bytes: [0, 0, 0xFF, 0xFE, 0xC0, 0x80] + junk(16))
                case 4: body = nil
                default: body = ByteBuffer(string: "{\"" + pick(parameterNames) + "\":" + pick(["1", "[]", "{}", "\"" + pick(tokenPool) + "\"", "null"]) + "}")
                }
                let response = try await client.execute(uri: path, method: route.method, headers: headers, body: body)
                let described = "\(route.method) \(route.path) #\(index) seed \(seed)"
                if response.status.code >= 500 { failures.append("\(response.status.code) \(described)") }
                let answer = String(decoding: response.body.readableBytesView, as: UTF8.self)
                    + response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
                // Any 16 characters of a secret's random part count as an echo.
                for secret in secrets {
                    guard let found = answer.range(of: Self.fingerprint(secret)) else { continue }
                    let context = answer[answer.index(found.lowerBound, offsetBy: -min(80, answer.distance(from: answer.startIndex, to: found.lowerBound)))..<found.lowerBound]
                    leaks.append("\(described) echoed a secret after: \(context)")
                }
            }
            #expect(failures.isEmpty, "\(failures.prefix(20))")
            #expect(leaks.isEmpty, "\(leaks.prefix(20))")
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let logs = capture.all
            for secret in secrets { #expect(!logs.contains(Self.fingerprint(secret)), "a secret reached the log") }
        }
    }

    /// 16 characters from the middle of a secret's random part: what no echo may contain.
    static func fingerprint(_ secret: String) -> String {
        let random = secret.hasPrefix("bi_") ? String(secret.split(separator: "_", maxSplits: 2).last ?? "") : secret
        guard random.count > 20 else { return secret }
        return String(random.dropFirst(4).prefix(16))
    }
}
