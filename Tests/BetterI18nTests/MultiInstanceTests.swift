import BetterI18nCore
import BetterI18nHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §6.1: a grant revoked through one instance is refused by every instance within one
/// second. Two server instances share one database (PostgreSQL in CI, SQLite always); token
/// checks read the grant on every request, so the answer changes on the next request.
@Suite struct MultiInstanceTests {
    @Test(arguments: Backend.available)
    func aGrantRevokedOnOneInstanceIsRefusedByTheOtherAtOnce(backend: Backend) async throws {
        let world = try await OAuthWorld(backend: backend)
        let other = OtherInstance(dependencies: backend == .sqlite
            ? try await sqlitePeer(world, try #require(world.databasePath))
            : try await world.server.peer(backend: backend))
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens()
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let installation = try await partner.installation()
            #expect(try await other.me(installation) == .ok)
            let action = "/settings/connected-apps/\(tokens.grant_id)/revoke"
            try await driver.signIn()
            let page = try await client.browse("/settings/connected-apps", jar: driver.jar)
            let revoked = try await client.browse(action, method: .post, form: [("csrf_token", try #require(page.hiddenField("csrf_token")))], jar: driver.jar)
            #expect(revoked.status == .seeOther)
            let started = ContinuousClock.now
            var status = try await other.me(installation)
            while status != .gone, ContinuousClock.now - started < .seconds(1) {
                status = try await other.me(installation)
            }
            #expect(status == .gone, "the other instance refuses the token of a revoked grant within a second")
            #expect(try await other.me(tokens.access_token) == .gone)
        }
    }

    /// SPEC §6.1: narrowing a grant on one instance narrows live tokens on the other within a
    /// second, through the other's half-second token cache.
    @Test(arguments: Backend.available)
    func aGrantNarrowedOnOneInstanceNarrowsTokensOnTheOtherWithinASecond(backend: Backend) async throws {
        let world = try await OAuthWorld(backend: backend)
        let other = OtherInstance(dependencies: backend == .sqlite
            ? try await sqlitePeer(world, try #require(world.databasePath))
            : try await world.server.peer(backend: backend))
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens(scope: "org:read projects:read")
            let installation = try await PartnerResourceTests.Partner(client: client, world: world, tokens: tokens).installation()
            let second = "/api/oauth-client/v1/projects/\(world.projects[1].id.rawValue)"
            #expect(try await other.status(second, installation) == .ok, "the other instance has the token state cached")
            _ = try await driver.authorize(pkce: PKCEPair(), scope: "org:read projects:read", projectAccess: "selected",
                                           projectIDs: [world.projects[0].id.rawValue], approving: ["org:read", "projects:read"])
            let started = ContinuousClock.now
            var status = try await other.status(second, installation)
            while status != .forbidden, ContinuousClock.now - started < .seconds(1) {
                status = try await other.status(second, installation)
            }
            #expect(status == .forbidden, "the other instance refuses the project the grant no longer covers within a second")
        }
    }

    @Test(arguments: Backend.available)
    func aPublishOnOneInstanceIsServedByTheOtherWithinTwoSeconds(backend: Backend) async throws {
        let world = try await OAuthWorld(backend: backend)
        let other = OtherInstance(dependencies: backend == .sqlite
            ? try await sqlitePeer(world, try #require(world.databasePath))
            : try await world.server.peer(backend: backend))
        let manifest = "/cdn/\(world.organization.slug.value)/web/manifest.json"
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: PublishingTests.scopes)
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let installation = try await partner.installation()
            let base = "/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)"
            #expect(try await other.get(manifest).status == .notFound, "the other instance has seen no release yet")
            for version in 1...2 {
                #expect(try await partner.call(base + "/publish", method: .post, token: installation).status == .created)
                let published = ContinuousClock.now
                var seen = try await other.get(manifest)
                while seen.version != version, ContinuousClock.now - published < .seconds(2) {
                    try await Task.sleep(for: .milliseconds(50))
                    seen = try await other.get(manifest)
                }
                #expect(seen.version == version, "the other instance serves release \(version) within two seconds")
            }
        }
    }

    private func sqlitePeer(_ world: OAuthWorld, _ path: String) async throws -> AppDependencies {
        AppDependencies(
            configuration: world.server.dependencies.configuration,
            storage: try await StorageFactoryForTests.sqlite(path: path), clock: world.clock, logger: .quiet
        )
    }

    /// The second instance, driven through its own router.
    struct OtherInstance {
        let dependencies: AppDependencies

        func get(_ path: String) async throws -> (status: HTTPResponse.Status, version: Int?) {
            try await BetterI18nServer.buildApplication(dependencies).test(.router) { client in
                let response = try await client.execute(uri: path, method: .get)
                let body = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                return (response.status, body?["version"] as? Int)
            }
        }

        func status(_ path: String, _ token: String) async throws -> HTTPResponse.Status {
            try await BetterI18nServer.buildApplication(dependencies).test(.router) { client in
                try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(token)"]).status
            }
        }

        func me(_ token: String) async throws -> HTTPResponse.Status {
            try await BetterI18nServer.buildApplication(dependencies).test(.router) { client in
                try await client.execute(uri: "/api/oauth-client/me", method: .get, headers: [.authorization: "Bearer \(token)"]).status
            }
        }
    }
}
