import BetterI18nCore
import Foundation
import SQLKit

extension SQLStorage {
    // MARK: Clients

    public func clients(ownedBy user: UserID) async throws -> [OAuthClient] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM oauth_clients WHERE owner_user_id = \(bind: user.rawValue) AND deleted_at IS NULL
                ORDER BY created_at, id
                """).all().map(Rows.client)
        }
    }

    public func updateClientSecret(_ client: ClientID, digest: SecretDigest) async throws {
        try await driver.writing { database in
            try await database.raw("""
                UPDATE oauth_clients SET secret_digest = \(bind: digest.hex)
                WHERE id = \(bind: client.rawValue) AND deleted_at IS NULL
                """).run()
        }
    }

    public func deleteClient(_ client: ClientID, at time: Date, event: (@Sendable (Grant) -> OutboxEvent)?) async throws {
        try await driver.writing { database in
            let ms = time.millisecondsSince1970
            try await database.raw("UPDATE oauth_clients SET deleted_at = \(bind: ms) WHERE id = \(bind: client.rawValue)").run()
            let revoked = try await database.raw("""
                UPDATE grants SET revoked_at = \(bind: ms) WHERE client_id = \(bind: client.rawValue) AND revoked_at IS NULL
                RETURNING *
                """).all().map(Rows.grant)
            for grant in revoked {
                try await Self.cancelDeliveries(ofGrant: grant.id, at: time, on: database)
                if let event { try await Self.insertEvents([event(grant)], on: database) }
            }
        }
    }

    // MARK: Registration tokens

    public func createRegistrationToken(digest: SecretDigest, createdAt: Date, expiresAt: Date) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO registration_tokens (digest, created_at, expires_at)
                VALUES (\(bind: digest.hex), \(bind: createdAt.millisecondsSince1970), \(bind: expiresAt.millisecondsSince1970))
                """).run()
        }
    }

    public func consumeRegistrationToken(digest: SecretDigest, at time: Date) async throws -> Bool {
        try await driver.writing { database in
            let ms = time.millisecondsSince1970
            return try await database.raw("""
                UPDATE registration_tokens SET used_at = \(bind: ms)
                WHERE digest = \(bind: digest.hex) AND used_at IS NULL AND expires_at > \(bind: ms)
                RETURNING digest
                """).first() != nil
        }
    }

    // MARK: Pending authorizations

    public func createPendingAuthorization(_ pending: PendingAuthorization) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO pending_authorizations (id, user_id, client_id, redirect_uri, scopes, state, code_challenge,
                                                    resource, created_at, expires_at)
                VALUES (\(bind: pending.id), \(bind: pending.userID.rawValue), \(bind: pending.clientID.rawValue),
                        \(bind: pending.redirectURI), \(bind: pending.scopes.description), \(bind: pending.state),
                        \(bind: pending.codeChallenge), \(bind: pending.resource),
                        \(bind: pending.createdAt.millisecondsSince1970), \(bind: pending.expiresAt.millisecondsSince1970))
                """).run()
            // A user's pending requests beyond the newest ones are dropped, never refused: a
            // client looping on /authorize cannot grow the table.
            try await database.raw("""
                DELETE FROM pending_authorizations
                WHERE user_id = \(bind: pending.userID.rawValue) AND id NOT IN (
                    SELECT id FROM pending_authorizations WHERE user_id = \(bind: pending.userID.rawValue)
                    ORDER BY created_at DESC, id DESC LIMIT \(literal: Self.pendingAuthorizationsPerUser))
                """).run()
        }
    }

    /// Pending authorization requests kept per user (the newest).
    public static let pendingAuthorizationsPerUser = 50

    public func pendingAuthorization(id: String, userID: UserID, at time: Date) async throws -> PendingAuthorization? {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM pending_authorizations
                WHERE id = \(bind: id) AND user_id = \(bind: userID.rawValue) AND consumed_at IS NULL
                  AND expires_at > \(bind: time.millisecondsSince1970)
                """).first().map(Rows.pending)
        }
    }

    public func deletePendingAuthorizations(expiredBefore time: Date) async throws -> Int {
        try await driver.writing { database in
            let cutoff = time.millisecondsSince1970
            let count = try await database.raw(
                "SELECT COUNT(*) AS n FROM pending_authorizations WHERE expires_at < \(bind: cutoff)"
            ).first()?.decode(column: "n", as: Int.self) ?? 0
            try await database.raw("DELETE FROM pending_authorizations WHERE expires_at < \(bind: cutoff)").run()
            return count
        }
    }

    public func pruneOAuthRows(expiredBefore: Date, revokedBefore: Date, batchSize: Int) async throws -> Int {
        try await driver.writing { database in
            let expired = expiredBefore.millisecondsSince1970
            let revoked = revokedBefore.millisecondsSince1970
            let limit = max(1, batchSize)
            var deleted = 0
            for query: SQLQueryString in [
                """
                DELETE FROM tokens WHERE digest IN (
                    SELECT digest FROM tokens WHERE expires_at < \(bind: expired) LIMIT \(bind: limit)) RETURNING digest
                """,
                """
                DELETE FROM tokens WHERE digest IN (
                    SELECT t.digest FROM tokens t JOIN token_families f ON f.id = t.family_id
                    WHERE f.revoked_at < \(bind: revoked) LIMIT \(bind: limit)) RETURNING digest
                """,
                """
                DELETE FROM authorization_codes WHERE digest IN (
                    SELECT digest FROM authorization_codes WHERE expires_at < \(bind: expired) LIMIT \(bind: limit)) RETURNING digest
                """,
                """
                DELETE FROM authorization_codes WHERE digest IN (
                    SELECT c.digest FROM authorization_codes c JOIN token_families f ON f.id = c.family_id
                    WHERE f.revoked_at < \(bind: revoked) LIMIT \(bind: limit)) RETURNING digest
                """,
                """
                DELETE FROM token_families WHERE id IN (
                    SELECT f.id FROM token_families f
                    WHERE f.created_at < \(bind: expired)
                      AND NOT EXISTS (SELECT 1 FROM tokens t WHERE t.family_id = f.id)
                      AND NOT EXISTS (SELECT 1 FROM authorization_codes c WHERE c.family_id = f.id)
                    LIMIT \(bind: limit)) RETURNING id
                """,
            ] {
                deleted += try await database.raw(query).all().count
            }
            return deleted
        }
    }

    public func consumePendingAuthorization(id: String, userID: UserID, at time: Date) async throws -> PendingAuthorization? {
        try await driver.writing { database in
            let ms = time.millisecondsSince1970
            return try await database.raw("""
                UPDATE pending_authorizations SET consumed_at = \(bind: ms)
                WHERE id = \(bind: id) AND user_id = \(bind: userID.rawValue) AND consumed_at IS NULL AND expires_at > \(bind: ms)
                RETURNING *
                """).first().map(Rows.pending)
        }
    }

    // MARK: Grants

    public func approveGrant(
        newID: GrantID, clientID: ClientID, organizationID: OrganizationID, userID: UserID, scopes: ScopeSet,
        projectIDs: [ProjectID], at time: Date,
        events: @escaping @Sendable (_ previous: Grant?, _ grant: Grant) -> [OutboxEvent]
    ) async throws -> (grant: Grant, created: Bool) {
        let projects = Rows.json(projectIDs.map(\.rawValue))
        do {
            return try await upsertGrant(newID: newID, clientID: clientID, organizationID: organizationID, userID: userID,
                                         scopes: scopes, projects: projects, at: time, events: events)
        } catch let error as StorageError where error.isConflict {
            // Two first approvals of one pair raced (PostgreSQL runs them side by side): the other
            // one's grant exists now, and this approval updates it in place.
            return try await upsertGrant(newID: newID, clientID: clientID, organizationID: organizationID, userID: userID,
                                         scopes: scopes, projects: projects, at: time, events: events)
        }
    }

    private func upsertGrant(
        newID: GrantID, clientID: ClientID, organizationID: OrganizationID, userID: UserID, scopes: ScopeSet, projects: String,
        at time: Date, events: @escaping @Sendable (_ previous: Grant?, _ grant: Grant) -> [OutboxEvent]
    ) async throws -> (grant: Grant, created: Bool) {
        let result = try await driver.writing { database in
            let ms = time.millisecondsSince1970
            // The grant as it was, for `grant.updated`'s old scopes and projects.
            let previous = try await database.raw("""
                SELECT * FROM grants WHERE client_id = \(bind: clientID.rawValue)
                  AND organization_id = \(bind: organizationID.rawValue) AND revoked_at IS NULL
                """).first().map(Rows.grant)
            let updated = try await database.raw("""
                UPDATE grants SET user_id = \(bind: userID.rawValue), scopes = \(bind: scopes.description),
                    project_ids = \(bind: projects), updated_at = \(bind: ms)
                WHERE client_id = \(bind: clientID.rawValue) AND organization_id = \(bind: organizationID.rawValue)
                  AND revoked_at IS NULL
                RETURNING *
                """).first().map(Rows.grant)
            if let updated {
                try await Self.insertEvents(events(previous, updated), on: database)
                return GrantUpsert(grant: updated, created: false)
            }
            let created = try await database.raw("""
                INSERT INTO grants (id, client_id, organization_id, user_id, scopes, project_ids, created_at, updated_at)
                VALUES (\(bind: newID.rawValue), \(bind: clientID.rawValue), \(bind: organizationID.rawValue),
                        \(bind: userID.rawValue), \(bind: scopes.description), \(bind: projects), \(bind: ms), \(bind: ms))
                RETURNING *
                """).first().map(Rows.grant)
            guard let created else { throw StorageError.unavailable("grant insert returned no row") }
            try await Self.insertEvents(events(nil, created), on: database)
            return GrantUpsert(grant: created, created: true)
        }
        return (result.grant, result.created)
    }

    public func grant(id: GrantID) async throws -> Grant? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM grants WHERE id = \(bind: id.rawValue)").first().map(Rows.grant)
        }
    }

    public func grantListings(organizations: [OrganizationID]) async throws -> [GrantListing] {
        guard !organizations.isEmpty else { return [] }
        return try await driver.reading { database in
            let ids = SQLList(organizations.map { SQLBind($0.rawValue) })
            return try await database.raw("""
                SELECT g.*, c.name AS client_name, c.is_verified AS client_verified, o.name AS organization_name,
                       o.slug AS organization_slug, u.email AS approved_by_email
                FROM grants g
                JOIN oauth_clients c ON c.id = g.client_id
                JOIN organizations o ON o.id = g.organization_id
                JOIN users u ON u.id = g.user_id
                WHERE g.organization_id IN (\(ids))
                ORDER BY g.revoked_at IS NOT NULL, g.created_at DESC, g.id
                """).all().map { row in
                GrantListing(
                    grant: try Rows.grant(row),
                    clientName: try Rows.string(row, "client_name"),
                    clientVerified: try row.decode(column: "client_verified", as: Int.self) != 0,
                    organizationName: try Rows.string(row, "organization_name"),
                    organizationSlug: try Rows.string(row, "organization_slug"),
                    approvedByEmail: try Rows.string(row, "approved_by_email")
                )
            }
        }
    }

    public func revokeGrant(id: GrantID, at time: Date, event: (@Sendable (Grant) -> OutboxEvent)?) async throws -> Grant? {
        try await driver.writing { database in
            if let revoked = try await database.raw("""
                UPDATE grants SET revoked_at = \(bind: time.millisecondsSince1970)
                WHERE id = \(bind: id.rawValue) AND revoked_at IS NULL
                RETURNING *
                """).first().map(Rows.grant) {
                try await Self.cancelDeliveries(ofGrant: id, at: time, on: database)
                if let event { try await Self.insertEvents([event(revoked)], on: database) }
                return revoked
            }
            return try await database.raw("SELECT * FROM grants WHERE id = \(bind: id.rawValue)").first().map(Rows.grant)
        }
    }

    // MARK: Codes

    public func createAuthorizationCode(_ code: AuthorizationCodeRecord) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO token_families (id, grant_id, created_at)
                VALUES (\(bind: code.familyID.rawValue), \(bind: code.grantID.rawValue), \(bind: code.createdAt.millisecondsSince1970))
                """).run()
            try await database.raw("""
                INSERT INTO authorization_codes (digest, client_id, grant_id, user_id, family_id, redirect_uri, scopes,
                                                 code_challenge, resource, created_at, expires_at)
                VALUES (\(bind: code.digest.hex), \(bind: code.clientID.rawValue), \(bind: code.grantID.rawValue),
                        \(bind: code.userID.rawValue), \(bind: code.familyID.rawValue), \(bind: code.redirectURI),
                        \(bind: code.scopes.description), \(bind: code.codeChallenge), \(bind: code.resource),
                        \(bind: code.createdAt.millisecondsSince1970), \(bind: code.expiresAt.millisecondsSince1970))
                """).run()
        }
    }

    public func authorizationCode(digest: SecretDigest) async throws -> AuthorizationCodeRecord? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM authorization_codes WHERE digest = \(bind: digest.hex)").first().map(Rows.code)
        }
    }

    public func redeemAuthorizationCode(
        digest: SecretDigest, at time: Date, issuing tokens: [TokenRecord], touchGrant: Bool
    ) async throws -> Bool {
        try await driver.writing { database in
            // One statement decides the winner: of concurrent redemptions only one sees
            // consumed_at IS NULL (PostgreSQL re-checks the row after the first commits).
            let won = try await database.raw("""
                UPDATE authorization_codes SET consumed_at = \(bind: time.millisecondsSince1970)
                WHERE digest = \(bind: digest.hex) AND consumed_at IS NULL
                RETURNING digest
                """).first() != nil
            if won { try await Self.insert(tokens, touching: touchGrant ? time : nil, on: database) }
            return won
        }
    }

    // MARK: Tokens

    public func issueTokens(_ tokens: [TokenRecord]) async throws {
        try await driver.writing { database in
            try await Self.insert(tokens, touching: nil, on: database)
        }
    }

    /// One multi-row INSERT for a batch of tokens, and the grant's "last used" when `touching`.
    static func insert(_ tokens: [TokenRecord], touching time: Date?, on database: any SQLDatabase) async throws {
        guard !tokens.isEmpty else { return }
        let rows: [SQLQueryString] = tokens.map { token in
            """
            (\(bind: token.digest.hex), \(bind: token.kind.rawValue), \(bind: token.clientID.rawValue),
             \(bind: token.grantID.rawValue), \(bind: token.familyID.rawValue), \(bind: token.userID.rawValue),
             \(bind: token.scopes.description), \(bind: Rows.json(token.projectIDs.map(\.rawValue))),
             \(bind: token.resource), \(bind: token.createdAt.millisecondsSince1970), \(bind: token.expiresAt.millisecondsSince1970))
            """
        }
        try await database.raw("""
            INSERT INTO tokens (digest, kind, client_id, grant_id, family_id, user_id, scopes, project_ids, resource,
                                created_at, expires_at)
            VALUES \(rows.joined(separator: ", "))
            """).run()
        if let time {
            for grant in Set(tokens.map(\.grantID)) {
                try await database.raw("""
                    UPDATE grants SET last_used_at = \(bind: time.millisecondsSince1970) WHERE id = \(bind: grant.rawValue)
                    """).run()
            }
        }
    }

    /// The token joined with its grant and family: everything a validity check needs, in one query.
    static func tokenStateQuery(_ digest: SecretDigest) -> SQLQueryString {
        """
        SELECT t.*, f.revoked_at AS family_revoked_at,
               g.id AS g_id, g.client_id AS g_client_id, g.organization_id AS g_organization_id, g.user_id AS g_user_id,
               g.scopes AS g_scopes, g.project_ids AS g_project_ids, g.created_at AS g_created_at,
               g.updated_at AS g_updated_at, g.last_used_at AS g_last_used_at, g.revoked_at AS g_revoked_at
        FROM tokens t
        JOIN token_families f ON f.id = t.family_id
        JOIN grants g ON g.id = t.grant_id
        WHERE t.digest = \(bind: digest.hex)
        """
    }

    public func tokenState(digest: SecretDigest) async throws -> TokenState? {
        try await driver.reading { database in
            try await database.raw(Self.tokenStateQuery(digest)).first().map(Rows.tokenState)
        }
    }

    public func rotateRefreshToken(
        digest: SecretDigest, at time: Date, grace: TimeInterval, issuing successors: [TokenRecord], touchGrant: Bool
    ) async throws -> RefreshRotation {
        try await driver.writing { database in
            let ms = time.millisecondsSince1970
            if try await database.raw("""
                UPDATE tokens SET rotated_at = \(bind: ms)
                WHERE digest = \(bind: digest.hex) AND kind = 'refresh' AND rotated_at IS NULL AND revoked_at IS NULL
                RETURNING digest
                """).first() != nil {
                try await Self.insert(successors, touching: touchGrant ? time : nil, on: database)
                return .rotated
            }
            guard let row = try await database.raw("""
                SELECT rotated_at, revoked_at FROM tokens WHERE digest = \(bind: digest.hex) AND kind = 'refresh'
                """).first()
            else {
                return .unknown
            }
            if grace > 0, try row.decode(column: "revoked_at", as: Int64?.self) == nil,
               let rotatedAt = try Rows.optionalDate(row, "rotated_at"), time.timeIntervalSince(rotatedAt) <= grace,
               try await database.raw("""
                   UPDATE tokens SET grace_used_at = \(bind: ms)
                   WHERE digest = \(bind: digest.hex) AND grace_used_at IS NULL
                   RETURNING digest
                   """).first() != nil {
                try await Self.insert(successors, touching: touchGrant ? time : nil, on: database)
                return .withinGrace
            }
            return .reused
        }
    }

    public func revokeToken(digest: SecretDigest, at time: Date) async throws {
        try await driver.writing { database in
            try await database.raw("""
                UPDATE tokens SET revoked_at = \(bind: time.millisecondsSince1970)
                WHERE digest = \(bind: digest.hex) AND revoked_at IS NULL
                """).run()
        }
    }

    public func revokeFamily(_ family: FamilyID, at time: Date, event: OutboxEvent?) async throws {
        try await driver.writing { database in
            let ms = time.millisecondsSince1970
            let ended = try await database.raw("""
                UPDATE token_families SET revoked_at = \(bind: ms) WHERE id = \(bind: family.rawValue) AND revoked_at IS NULL
                RETURNING id
                """).first()
            if ended != nil, let event { try await Self.insertEvents([event], on: database) }
            try await database.raw("""
                UPDATE tokens SET revoked_at = \(bind: ms) WHERE family_id = \(bind: family.rawValue) AND revoked_at IS NULL
                """).run()
        }
    }

    // MARK: Audit

    public func recordAudit(_ event: AuditEvent) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO audit_events (id, kind, organization_id, client_id, grant_id, actor, details, created_at)
                VALUES (\(bind: event.id), \(bind: event.kind.rawValue), \(bind: event.organizationID?.rawValue),
                        \(bind: event.clientID?.rawValue), \(bind: event.grantID?.rawValue), \(bind: event.actor),
                        \(bind: Rows.json(event.details)), \(bind: event.createdAt.millisecondsSince1970))
                """).run()
        }
    }

    public func auditEvents(organization: OrganizationID?, limit: Int) async throws -> [AuditEvent] {
        try await driver.reading { database in
            let filter: SQLQueryString = organization.map { "WHERE organization_id = \(bind: $0.rawValue)" } ?? ""
            return try await database.raw("""
                SELECT * FROM audit_events \(filter) ORDER BY created_at DESC, id LIMIT \(bind: limit)
                """).all().map(Rows.audit)
        }
    }
}

private struct GrantUpsert: Sendable {
    let grant: Grant
    let created: Bool
}
