import BetterI18nCore
import BetterI18nStorage
import Foundation

/// Listing and revoking grants — from Connected apps, the partner's uninstall and the operator's
/// `admin revoke-grant` — so every path revokes the same way and is audited the same way.
public struct GrantService: Sendable {
    public enum Failure: Error, Equatable, Sendable {
        case notFound
        /// The user is not an owner or admin of the grant's organization.
        case forbidden
    }

    let storage: any Storage
    let clock: any WallClock
    let tokenCache: TokenStateCache?

    public init(storage: any Storage, clock: any WallClock, tokenCache: TokenStateCache? = nil) {
        self.storage = storage
        self.clock = clock
        self.tokenCache = tokenCache
    }

    /// Grants of every organization the user administers.
    public func listings(for user: User) async throws -> [GrantListing] {
        let organizations = try await storage.memberships(of: user.id).filter(\.role.canAdminister).map(\.organization.id)
        return try await storage.grantListings(organizations: organizations)
    }

    /// Revokes on behalf of a dashboard user, who must administer the grant's organization.
    public func revoke(_ id: GrantID, by user: User) async throws -> Grant {
        guard let grant = try await storage.grant(id: id) else { throw Failure.notFound }
        guard try await storage.role(of: user.id, in: grant.organizationID)?.canAdminister == true else {
            throw Failure.forbidden
        }
        return try await revoke(grant, actor: user.id.rawValue)
    }

    /// Revokes as the operator (`admin revoke-grant`) or the partner itself (uninstall).
    public func revoke(_ id: GrantID, actor: String) async throws -> Grant {
        guard let grant = try await storage.grant(id: id) else { throw Failure.notFound }
        return try await revoke(grant, actor: actor)
    }

    private func revoke(_ grant: Grant, actor: String) async throws -> Grant {
        guard !grant.isRevoked else { return grant }
        let now = clock.now()
        guard let revoked = try await storage.revokeGrant(id: grant.id, at: now) else { throw Failure.notFound }
        tokenCache?.removeAll()
        try await storage.recordAudit(AuditEvent(
            kind: .grantRevoked, organizationID: grant.organizationID, clientID: grant.clientID, grantID: grant.id,
            actor: actor, createdAt: now
        ))
        return revoked
    }
}
