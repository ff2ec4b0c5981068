import BetterI18nCore
import Foundation

/// What happened to a refresh token presented for rotation.
public enum RefreshRotation: Sendable, Equatable {
    /// First presentation: the token is now rotated away and its successors are stored.
    case rotated
    /// Already rotated, but within `--refresh-reuse-grace` and not yet used that way; the
    /// successors are stored.
    case withinGrace
    /// Already rotated (or revoked) and outside the grace: reuse, the family must die.
    /// Nothing was stored.
    case reused
    case unknown
}

/// A grant with the names the Connected apps page shows.
public struct GrantListing: Sendable, Equatable {
    public var grant: Grant
    public var clientName: String
    public var clientVerified: Bool
    public var organizationName: String
    public var organizationSlug: String
    public var approvedByEmail: String
}

/// Storage for the authorization server (SPEC §5). Every single-use step is one atomic
/// statement, never get-then-mark (STYLE.md "Avoid").
public protocol OAuthStore: AuditStore {
    // Clients
    func clients(ownedBy user: UserID) async throws -> [OAuthClient]
    func updateClientSecret(_ client: ClientID, digest: SecretDigest) async throws
    /// Deletes the client and revokes its grants, in one transaction.
    /// `event` is raised for each grant this revokes, in the same transaction.
    func deleteClient(_ client: ClientID, at time: Date, event: (@Sendable (Grant) -> OutboxEvent)?) async throws

    // Initial access tokens for RFC 7591 registration
    func createRegistrationToken(digest: SecretDigest, createdAt: Date, expiresAt: Date) async throws
    /// True exactly once for an unexpired token.
    func consumeRegistrationToken(digest: SecretDigest, at time: Date) async throws -> Bool

    // Pending authorization requests
    func createPendingAuthorization(_ pending: PendingAuthorization) async throws
    /// The request when it is the user's, unconsumed and unexpired.
    func pendingAuthorization(id: String, userID: UserID, at time: Date) async throws -> PendingAuthorization?
    /// Removes pending requests that expired before `time`; returns how many.
    @discardableResult
    func deletePendingAuthorizations(expiredBefore time: Date) async throws -> Int
    /// One batch of pruning, in one short write transaction: at most `batchSize` rows each of
    /// codes and tokens that expired before `expiredBefore`, of codes and tokens of families
    /// revoked before `revokedBefore`, and of families created before `expiredBefore` that have
    /// no code or token left. Grants and audit events are kept. Returns the rows deleted; fewer
    /// than `batchSize` means nothing is left to prune.
    func pruneOAuthRows(expiredBefore: Date, revokedBefore: Date, batchSize: Int) async throws -> Int
    /// Atomically marks the request used; nil when it was already used, expired or not the user's.
    func consumePendingAuthorization(id: String, userID: UserID, at time: Date) async throws -> PendingAuthorization?

    // Grants
    /// Upserts the live grant of (client, organization): updated in place when one exists,
    /// else created with `newID`. Returns the grant and whether it was created.
    func approveGrant(
        newID: GrantID, clientID: ClientID, organizationID: OrganizationID, userID: UserID, scopes: ScopeSet,
        projectIDs: [ProjectID], at time: Date,
        events: @escaping @Sendable (_ previous: Grant?, _ grant: Grant) -> [OutboxEvent]
    ) async throws -> (grant: Grant, created: Bool)
    func grant(id: GrantID) async throws -> Grant?
    /// Live and revoked grants of the organizations, newest first.
    func grantListings(organizations: [OrganizationID]) async throws -> [GrantListing]
    /// Marks the grant revoked; nil when unknown, the grant unchanged when already revoked.
    /// `event` is raised, in the same transaction, only when this call revoked it.
    func revokeGrant(id: GrantID, at time: Date, event: (@Sendable (Grant) -> OutboxEvent)?) async throws -> Grant?

    // Codes and tokens
    /// Stores the code and creates the token family it will start.
    func createAuthorizationCode(_ code: AuthorizationCodeRecord) async throws
    func authorizationCode(digest: SecretDigest) async throws -> AuthorizationCodeRecord?
    /// In one transaction: marks the code used — one statement, so of concurrent redemptions
    /// exactly one wins — and stores `tokens` (and, with `touchGrant`, sets their grant's "last
    /// used") when it was unused. Returns false, storing nothing, when the code was already used.
    func redeemAuthorizationCode(
        digest: SecretDigest, at time: Date, issuing tokens: [TokenRecord], touchGrant: Bool
    ) async throws -> Bool
    func issueTokens(_ tokens: [TokenRecord]) async throws
    func tokenState(digest: SecretDigest) async throws -> TokenState?
    /// In one transaction: rotates the refresh token away and, when that (or the grace) lets
    /// it, stores `successors` and, with `touchGrant`, sets their grant's "last used".
    func rotateRefreshToken(
        digest: SecretDigest, at time: Date, grace: TimeInterval, issuing successors: [TokenRecord], touchGrant: Bool
    ) async throws -> RefreshRotation
    func revokeToken(digest: SecretDigest, at time: Date) async throws
    /// `event` is stored, in the same transaction, only when this call ended the family.
    func revokeFamily(_ family: FamilyID, at time: Date, event: OutboxEvent?) async throws
}

/// The audit log: what happened, by whom, never a secret.
public protocol AuditStore: Sendable {
    func recordAudit(_ event: AuditEvent) async throws
    /// Newest first; all organizations when nil.
    func auditEvents(organization: OrganizationID?, limit: Int) async throws -> [AuditEvent]
}
