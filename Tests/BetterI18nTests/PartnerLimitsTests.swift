import BetterI18nCore
import BetterI18nProjects
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Limits that hold on every path: a field's length whether created or updated, and publishes
/// per project and minute.
@Suite struct PartnerLimitsTests {
    @Test func aKeyDescriptionHasTheSameLimitOnUpdateAsOnCreate() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let setup = try await PublishingTests.setUp(client, world)
            let long = String(repeating: "d", count: 2001)
            let created = try await setup.partner.call(setup.base + "/keys", method: .post, token: setup.token,
                                                       json: ["keys": [["name": "a", "description": long]]])
            #expect(created.status == .unprocessableContent)
            #expect(try await setup.partner.call(setup.base + "/keys", method: .post, token: setup.token, json: ["keys": [["name": "a"]]]).status == .created)
            let keys = try JSONSerialization.jsonObject(with: Data(try await setup.partner.call(setup.base + "/keys", token: setup.token).body.readableBytesView)) as? [String: Any]
            let id = try #require((keys?["keys"] as? [[String: Any]])?.first?["id"] as? String)
            let patched = try await setup.partner.call(setup.base + "/keys/\(id)", method: .patch, token: setup.token, json: ["description": long])
            #expect(patched.status == .unprocessableContent)
            let body = try JSONSerialization.jsonObject(with: Data(patched.body.readableBytesView)) as? [String: Any]
            #expect((body?["errors"] as? [[String: Any]])?.first?["error"] as? String == "invalid_description")
            #expect(try await world.storage.keys(in: world.projects[0].id, includingDeleted: false).first?.description == nil, "nothing written")
            #expect(try await setup.partner.call(setup.base + "/keys/\(id)", method: .patch, token: setup.token,
                                                 json: ["description": String(repeating: "d", count: 2000)]).status == .ok)
        }
    }

    @Test func publishesAreLimitedPerProjectAndMinute() async throws {
        let world = try await OAuthWorld()
        try await world.seedValue()
        try await world.test { client in
            let setup = try await PublishingTests.setUp(client, world)
            for _ in 0..<ReleaseService.publishesPerMinute {
                #expect(try await setup.partner.call(setup.base + "/publish", method: .post, token: setup.token).status == .created)
            }
            let refused = try await setup.partner.call(setup.base + "/publish", method: .post, token: setup.token)
            #expect(refused.status == .tooManyRequests)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(try await world.storage.releases(of: world.projects[0].id).count == ReleaseService.publishesPerMinute)
            // A minute later the project has its budget again.
            world.clock.advance(by: 61)
            #expect(try await setup.partner.call(setup.base + "/publish", method: .post, token: setup.token).status == .created)
        }
    }
}
