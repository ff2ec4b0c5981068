import BetterI18nCore
import BetterI18nStorage
import Foundation
import Testing

/// The OAuth part of the storage contract (SPEC §5), on SQLite and, with
/// `BETTER_I18N_TEST_POSTGRES_URL`, on PostgreSQL: upserts, single use under concurrency,
/// rotation with grace, family and grant revocation.
@Suite struct OAuthStorageContractTests {
    private struct Cast {
        let storage: SQLStorage
        let user: User
        let organization: Organization
        let client: OAuthClient
        let now: Date
    }

    private func cast(_ backend: Backend) async throws -> Cast {
        let storage = try await backend.open()
        let now = SystemWallClock().now()
        let user = User(id: .generate(), email: try EmailAddress(Unique.email()), name: "U", createdAt: now)
        try await storage.createUser(user, passwordHash: "x")
        let organization = Organization(id: .generate(), slug: try Slug(Unique.slug()), name: "O", createdAt: now)
        try await storage.createOrganization(organization, owner: user.id)
        let client = OAuthClient(
            id: .generate(), name: "C", type: .native, redirectURIs: ["http://127.0.0.1/cb"], logoURI: nil, clientURI: nil,
            ownerUserID: nil, secretDigest: nil, isVerified: true, createdAt: now
        )
        try await storage.createClient(client)
        return Cast(storage: storage, user: user, organization: organization, client: client, now: now)
    }

    private func grant(_ cast: Cast, scopes: [Scope] = [.orgRead, .keysRead]) async throws -> (grant: Grant, created: Bool) {
        try await cast.storage.approveGrant(
            newID: .generate(), clientID: cast.client.id, organizationID: cast.organization.id, userID: cast.user.id,
            scopes: ScopeSet(scopes), projectIDs: [], at: cast.now
        )
    }

    private func code(_ cast: Cast, grant: Grant) async throws -> AuthorizationCodeRecord {
        let record = AuthorizationCodeRecord(
            digest: Secret(kind: .authorizationCode).digest, clientID: cast.client.id, grantID: grant.id, userID: cast.user.id,
            familyID: .generate(), redirectURI: "http://127.0.0.1/cb", scopes: grant.scopes, codeChallenge: "c",
            resource: nil, createdAt: cast.now, expiresAt: cast.now.addingTimeInterval(600)
        )
        try await cast.storage.createAuthorizationCode(record)
        return record
    }

    private func token(_ kind: TokenKind, _ cast: Cast, grant: Grant, family: FamilyID) -> TokenRecord {
        TokenRecord(
            digest: Secret(kind: kind.secretKind).digest, kind: kind, clientID: cast.client.id, grantID: grant.id, familyID: family,
            userID: cast.user.id, scopes: grant.scopes, projectIDs: [], resource: nil, createdAt: cast.now,
            expiresAt: cast.now.addingTimeInterval(1800)
        )
    }

    @Test(arguments: Backend.available)
    func approvingAgainUpdatesTheLiveGrantInPlace(backend: Backend) async throws {
        let cast = try await cast(backend)
        let (first, created) = try await grant(cast)
        #expect(created)
        let (second, createdAgain) = try await grant(cast, scopes: [.orgRead])
        #expect(!createdAgain)
        #expect(second.id == first.id)
        #expect(second.scopes == ScopeSet([.orgRead]))
        _ = try await cast.storage.revokeGrant(id: first.id, at: cast.now)
        let (third, createdThird) = try await grant(cast)
        #expect(createdThird)
        #expect(third.id != first.id)
        #expect(try await cast.storage.grant(id: first.id)?.isRevoked == true)
        let listings = try await cast.storage.grantListings(organizations: [cast.organization.id])
        #expect(listings.map(\.grant.id) == [third.id, first.id], "live first, then revoked")
    }

    @Test(arguments: Backend.available)
    func aCodeIsRedeemedExactlyOnceUnderConcurrency(backend: Backend) async throws {
        let cast = try await cast(backend)
        let (grant, _) = try await grant(cast)
        let record = try await code(cast, grant: grant)
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cast.storage.redeemAuthorizationCode(
                        digest: record.digest, at: cast.now,
                        issuing: [token(.access, cast, grant: grant, family: record.familyID)], touchGrant: true
                    )
                }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(wins == 1)
        #expect(try await cast.storage.authorizationCode(digest: record.digest)?.consumedAt != nil)
        #expect(try await cast.storage.grant(id: grant.id)?.lastUsedAt == cast.now)
    }

    @Test(arguments: Backend.available)
    func aRefreshTokenRotatesExactlyOnceUnderConcurrency(backend: Backend) async throws {
        let cast = try await cast(backend)
        let (grant, _) = try await grant(cast)
        let family = try await code(cast, grant: grant).familyID
        let refresh = token(.refresh, cast, grant: grant, family: family)
        try await cast.storage.issueTokens([refresh])
        let outcomes = try await withThrowingTaskGroup(of: RefreshRotation.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cast.storage.rotateRefreshToken(
                        digest: refresh.digest, at: cast.now, grace: 0,
                        issuing: [token(.refresh, cast, grant: grant, family: family)], touchGrant: false
                    )
                }
            }
            return try await group.reduce(into: [RefreshRotation]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .rotated }.count == 1)
        #expect(outcomes.filter { $0 == .reused }.count == 19)
        #expect(try await cast.storage.rotateRefreshToken(digest: Secret(kind: .refreshToken).digest, at: cast.now, grace: 0,
                                                          issuing: [], touchGrant: false) == .unknown)
    }

    @Test(arguments: Backend.available)
    func theGraceAcceptsTheRotatedTokenOnceWithinItsWindow(backend: Backend) async throws {
        let cast = try await cast(backend)
        let (grant, _) = try await grant(cast)
        let family = try await code(cast, grant: grant).familyID
        let refresh = token(.refresh, cast, grant: grant, family: family)
        try await cast.storage.issueTokens([refresh])
        let rotate = { (at: Date) in
            try await cast.storage.rotateRefreshToken(
                digest: refresh.digest, at: at, grace: 10, issuing: [token(.refresh, cast, grant: grant, family: family)], touchGrant: false
            )
        }
        #expect(try await rotate(cast.now) == .rotated)
        #expect(try await rotate(cast.now.addingTimeInterval(5)) == .withinGrace)
        #expect(try await rotate(cast.now.addingTimeInterval(6)) == .reused)
    }

    @Test(arguments: Backend.available)
    func revokingAFamilyOrAGrantShowsInTheTokenState(backend: Backend) async throws {
        let cast = try await cast(backend)
        let (grant, _) = try await grant(cast)
        let family = try await code(cast, grant: grant).familyID
        let access = token(.access, cast, grant: grant, family: family)
        let other = token(.access, cast, grant: grant, family: try await code(cast, grant: grant).familyID)
        try await cast.storage.issueTokens([access, other])
        let state = try #require(try await cast.storage.tokenState(digest: access.digest))
        #expect(state.token == access)
        #expect(!state.isRevoked && !state.grant.isRevoked)
        try await cast.storage.revokeFamily(family, at: cast.now)
        #expect(try await cast.storage.tokenState(digest: access.digest)?.isRevoked == true)
        #expect(try await cast.storage.tokenState(digest: other.digest)?.isRevoked == false, "other families untouched")
        _ = try await cast.storage.revokeGrant(id: grant.id, at: cast.now)
        #expect(try await cast.storage.tokenState(digest: other.digest)?.grant.isRevoked == true)
    }

    @Test(arguments: Backend.available)
    func pendingRequestsAreConsumedOnceByTheirUserBeforeTheyExpire(backend: Backend) async throws {
        let cast = try await cast(backend)
        let pending = PendingAuthorization(
            id: Base62.random(count: 32, from: SystemRandomSource()), userID: cast.user.id, clientID: cast.client.id,
            redirectURI: "http://127.0.0.1/cb", scopes: ScopeSet([.orgRead]), state: "s", codeChallenge: "c", resource: nil,
            createdAt: cast.now, expiresAt: cast.now.addingTimeInterval(600)
        )
        try await cast.storage.createPendingAuthorization(pending)
        #expect(try await cast.storage.consumePendingAuthorization(id: pending.id, userID: .generate(), at: cast.now) == nil)
        #expect(try await cast.storage.pendingAuthorization(id: pending.id, userID: cast.user.id, at: cast.now.addingTimeInterval(601)) == nil)
        #expect(try await cast.storage.consumePendingAuthorization(id: pending.id, userID: cast.user.id, at: cast.now) == pending)
        #expect(try await cast.storage.consumePendingAuthorization(id: pending.id, userID: cast.user.id, at: cast.now) == nil)
    }

    @Test(arguments: Backend.available)
    func auditEventsAreListedNewestFirstPerOrganization(backend: Backend) async throws {
        let cast = try await cast(backend)
        for (offset, kind) in [AuditEvent.Kind.grantCreated, .grantUpdated, .grantRevoked].enumerated() {
            try await cast.storage.recordAudit(AuditEvent(
                kind: kind, organizationID: cast.organization.id, clientID: cast.client.id, grantID: nil, actor: cast.user.id.rawValue,
                details: ["n": String(offset)], createdAt: cast.now.addingTimeInterval(Double(offset))
            ))
        }
        let events = try await cast.storage.auditEvents(organization: cast.organization.id, limit: 2)
        #expect(events.map(\.kind) == [.grantRevoked, .grantUpdated])
        #expect(events.first?.details == ["n": "2"])
    }

    @Test(arguments: Backend.available)
    func registrationTokensWorkOnceAndExpire(backend: Backend) async throws {
        let cast = try await cast(backend)
        let token = Secret(kind: .initialAccessToken)
        try await cast.storage.createRegistrationToken(digest: token.digest, createdAt: cast.now, expiresAt: cast.now.addingTimeInterval(60))
        #expect(try await cast.storage.consumeRegistrationToken(digest: token.digest, at: cast.now.addingTimeInterval(61)) == false)
        #expect(try await cast.storage.consumeRegistrationToken(digest: token.digest, at: cast.now))
        #expect(try await cast.storage.consumeRegistrationToken(digest: token.digest, at: cast.now) == false)
    }

    @Test(arguments: Backend.available)
    func concurrentFirstApprovalsOfOnePairEndInOneGrant(backend: Backend) async throws {
        let cast = try await cast(backend)
        let results = try await withThrowingTaskGroup(of: (grant: Grant, created: Bool).self) { group in
            for _ in 0..<8 { group.addTask { try await grant(cast) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results.map(\.grant.id)).count == 1, "every approval ends in the same grant")
        #expect(results.filter(\.created).count == 1, "exactly one created it")
        let live = try await cast.storage.grantListings(organizations: [cast.organization.id]).filter { !$0.grant.isRevoked }
        #expect(live.count == 1)
    }

    @Test(arguments: Backend.available)
    func aUsersPendingRequestsBeyondTheNewestFiftyAreDropped(backend: Backend) async throws {
        let cast = try await cast(backend)
        var ids: [String] = []
        for index in 0..<(SQLStorage.pendingAuthorizationsPerUser + 10) {
            let pending = PendingAuthorization(
                id: Base62.random(count: 32, from: SystemRandomSource()), userID: cast.user.id, clientID: cast.client.id,
                redirectURI: "http://127.0.0.1/cb", scopes: ScopeSet([.orgRead]), state: "s", codeChallenge: "c", resource: nil,
                createdAt: cast.now.addingTimeInterval(Double(index)), expiresAt: cast.now.addingTimeInterval(600 + Double(index))
            )
            try await cast.storage.createPendingAuthorization(pending)
            ids.append(pending.id)
        }
        for (index, id) in ids.enumerated() {
            let kept = try await cast.storage.pendingAuthorization(id: id, userID: cast.user.id, at: cast.now) != nil
            #expect(kept == (index >= 10), "request \(index)")
        }
    }
}
