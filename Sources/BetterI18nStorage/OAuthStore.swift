import BetterI18nCore
import Foundation

/// What happened to an authorization code presented at the token endpoint.
public enum CodeConsumption: Sendable, Equatable {
    /// First presentation: the code is now used up.
    case consumed(AuthorizationCodeRecord)
    /// Presented before: a replay (RFC 6749 §4.1.2, RFC 9700 §4.5.3).
    case replayed(AuthorizationCodeRecord)
    case unknown
}

/// What happened to a refresh token presented for rotation.
public enum RefreshRotation: Sendable, Equatable {
    /// First presentation: the token is now rotated away.
    case rotated(TokenState)
    /// Already rotated, but within `--refresh-reuse-grace` and not yet used that way.
    case withinGrace(TokenState)
    /// Already rotated (or revoked) and outside the grace: reuse, the family must die.
    case reused(TokenState)
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
public protocol OAuthStore: Sendable {
    // Clients
    func clients(ownedBy user: UserID) async throws -> [OAuthClient]
    func updateClientSecret(_ client: ClientID, digest: SecretDigest) async throws
    /// Deletes the client and revokes its grants, in one transaction.
    func deleteClient(_ client: ClientID, at time: Date) async throws

    // Initial access tokens for RFC 7591 registration
    func createRegistrationToken(digest: SecretDigest, createdAt: Date, expiresAt: Date) async throws
    /// True exactly once for an unexpired token.
    func consumeRegistrationToken(digest: SecretDigest, at time: Date) async throws -> Bool

    // Pending authorization requests
    func createPendingAuthorization(_ pending: PendingAuthorization) async throws
    /// The request when it is the user's, unconsumed and unexpired.
    func pendingAuthorization(id: String, userID: UserID, at time: Date) async throws -> PendingAuthorization?
    /// Atomically marks the request used; nil when it was already used, expired or not the user's.
    func consumePendingAuthorization(id: String, userID: UserID, at time: Date) async throws -> PendingAuthorization?

    // Grants
    /// Upserts the live grant of (client, organization): updated in place when one exists,
    /// else created with `newID`. Returns the grant and whether it was created.
    func approveGrant(
        newID: GrantID, clientID: ClientID, organizationID: OrganizationID, userID: UserID, scopes: ScopeSet,
        projectIDs: [ProjectID], at time: Date
    ) async throws -> (grant: Grant, created: Bool)
    func grant(id: GrantID) async throws -> Grant?
    /// Live and revoked grants of the organizations, newest first.
    func grantListings(organizations: [OrganizationID]) async throws -> [GrantListing]
    /// Marks the grant revoked; nil when unknown, the grant unchanged when already revoked.
    func revokeGrant(id: GrantID, at time: Date) async throws -> Grant?
    func touchGrant(id: GrantID, at time: Date) async throws

    // Codes and tokens
    /// Stores the code and creates the token family it will start.
    func createAuthorizationCode(_ code: AuthorizationCodeRecord) async throws
    func consumeAuthorizationCode(digest: SecretDigest, at time: Date) async throws -> CodeConsumption
    func issueTokens(_ tokens: [TokenRecord]) async throws
    func tokenState(digest: SecretDigest) async throws -> TokenState?
    func rotateRefreshToken(digest: SecretDigest, at time: Date, grace: TimeInterval) async throws -> RefreshRotation
    func revokeToken(digest: SecretDigest, at time: Date) async throws
    func revokeFamily(_ family: FamilyID, at time: Date) async throws

    // Audit
    func recordAudit(_ event: AuditEvent) async throws
    /// Newest first; all organizations when nil.
    func auditEvents(organization: OrganizationID?, limit: Int) async throws -> [AuditEvent]
}
