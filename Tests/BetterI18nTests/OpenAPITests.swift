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
            #expect(checked == 19)
        }
    }
}
