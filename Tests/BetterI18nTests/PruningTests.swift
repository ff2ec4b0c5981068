import BetterI18nCore
import BetterI18nHTTP
@testable import BetterI18nStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

/// Housekeeping prunes codes and tokens seven days after they expire and the rows of revoked
/// families thirty days after the revocation, in small batches; grants and the audit log stay.
@Suite struct PruningTests {
    static func rows(_ storage: SQLStorage, _ table: String) async throws -> Int {
        try await storage.driver.read { database in
            try await database.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Sixty simulated days of a client refreshing every six hours, with a daily sweep in batches
    /// of three rows: after the longest retention (30-day refresh tokens + 7 days) the token
    /// table holds the same number of rows from day to day.
    @Test func underASteadyRefreshLoadTheTablesStopGrowing() async throws {
        let world = try await OAuthWorld()
        var pruning = Housekeeping.Pruning()
        pruning.batchSize = 3
        let housekeeping = Housekeeping(storage: world.storage, clock: world.clock, logger: .quiet, pruning: pruning)
        let sizes = try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            var refresh = try await driver.tokens().refresh_token
            var sizes: [Int: (tokens: Int, codes: Int, families: Int)] = [:]
            for hour in stride(from: 6, through: 60 * 24, by: 6) {
                world.clock.advance(by: 6 * 3600)
                let response = try await driver.refresh(refresh)
                #expect(response.status == .ok)
                refresh = try response.json(TokenBody.self).refresh_token
                if hour % 24 == 0 {
                    await housekeeping.sweep()
                    sizes[hour / 24] = (try await Self.rows(world.storage, "tokens"), try await Self.rows(world.storage, "authorization_codes"),
                                        try await Self.rows(world.storage, "token_families"))
                }
            }
            return sizes
        }
        let counts = (38...60).compactMap { sizes[$0]?.tokens }
        #expect(Set(counts).count == 1, "the token table stopped growing: \(counts)")
        #expect(try #require(sizes[60]).tokens <= 2 * 4 * 38, "about 37 days of refresh tokens and 7 of access tokens")
        #expect(try #require(sizes[60]).codes == 0, "the code went seven days after it expired")
        #expect(try #require(sizes[60]).families == 1, "the live family stays")
    }

    @Test func aRevokedFamilysRowsGoAfterThirtyDaysAndTheAuditLogStays() async throws {
        let world = try await OAuthWorld()
        let housekeeping = Housekeeping(storage: world.storage, clock: world.clock, logger: .quiet)
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let tokens = try await driver.tokens()
            let reused = try await driver.refresh(tokens.refresh_token)
            #expect(reused.status == .ok)
            #expect(try await driver.refresh(tokens.refresh_token).status == .badRequest, "reuse revokes the family")
            let audit = try await world.storage.auditEvents(organization: world.organization.id, limit: 1000).count
            #expect(audit > 0)

            world.clock.advance(by: 29 * 86_400)
            await housekeeping.sweep()
            #expect(try await Self.rows(world.storage, "tokens") == 2, "refresh tokens (30 days) are not expired yet; access tokens went")
            #expect(try await Self.rows(world.storage, "token_families") == 1)

            world.clock.advance(by: 2 * 86_400)
            await housekeeping.sweep()
            #expect(try await Self.rows(world.storage, "tokens") == 0)
            #expect(try await Self.rows(world.storage, "authorization_codes") == 0)
            #expect(try await Self.rows(world.storage, "token_families") == 0)
            #expect(try await Self.rows(world.storage, "grants") == 1, "the grant stays")
            #expect(try await world.storage.auditEvents(organization: world.organization.id, limit: 1000).count == audit)
        }
    }
}
