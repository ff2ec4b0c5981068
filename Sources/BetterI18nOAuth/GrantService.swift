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

    /// What Settings → Connected apps shows a user: the grants of every organization they
    /// administer with the names of the projects they cover, and the newest audit events of
    /// those organizations with readable actors and apps.
    public struct Overview: Sendable {
        public struct Event: Sendable {
            public let event: AuditEvent
            public let clientName: String?
            public let actorName: String
        }

        public let grants: [GrantListing]
        public let projectNames: [ProjectID: String]
        public let events: [Event]
    }

    public func overview(for user: User, eventLimit: Int = 100) async throws -> Overview {
        let administered = try await storage.memberships(of: user.id).filter(\.role.canAdminister).map(\.organization.id)
        let grants = try await storage.grantListings(organizations: administered)
        var projectNames: [ProjectID: String] = [:]
        var clientNames: [ClientID: String] = [:]
        for organization in Set(grants.map(\.grant.organizationID)) {
            for project in try await storage.projects(in: organization) { projectNames[project.id] = project.name }
        }
        for listing in grants { clientNames[listing.grant.clientID] = listing.clientName }
        var audit: [AuditEvent] = []
        for organization in administered {
            audit += try await storage.auditEvents(organization: organization, limit: 50)
        }
        audit.sort { $0.createdAt > $1.createdAt }
        var actors: [String: String] = [:]
        var events: [Overview.Event] = []
        for event in audit.prefix(eventLimit) {
            let actor: String
            if let known = actors[event.actor] {
                actor = known
            } else {
                actor = try await actorName(event.actor)
                actors[event.actor] = actor
            }
            events.append(Overview.Event(event: event, clientName: event.clientID.map { clientNames[$0] ?? $0.rawValue }, actorName: actor))
        }
        return Overview(grants: grants, projectNames: projectNames, events: events)
    }

    /// A person's email for `usr_` actors; clients and the operator as recorded.
    private func actorName(_ actor: String) async throws -> String {
        if let id = UserID(actor), let user = try await storage.user(id: id) { return user.email.value }
        if let id = ClientID(actor) { return "the app (\(id.rawValue))" }
        return actor == "operator" ? "an operator" : actor
    }

    /// Revokes on behalf of a dashboard user, who must administer the grant's organization.
    public func revoke(_ id: GrantID, by user: User) async throws -> Grant {
        guard let grant = try await storage.grant(id: id) else { throw Failure.notFound }
        guard try await storage.role(of: user.id, in: grant.organizationID)?.canAdminister == true else {
            throw Failure.forbidden
        }
        return try await revoke(grant, actor: user.id.rawValue, reason: .user)
    }

    /// Revokes as the operator (`admin revoke-grant`, reason `admin`) or the partner itself
    /// (uninstall, reason `partner`).
    public func revoke(_ id: GrantID, actor: String, reason: GrantRevocationReason) async throws -> Grant {
        guard let grant = try await storage.grant(id: id) else { throw Failure.notFound }
        return try await revoke(grant, actor: actor, reason: reason)
    }

    /// `grant.revoked` is raised in the revoking transaction, only by the call that revoked it.
    private func revoke(_ grant: Grant, actor: String, reason: GrantRevocationReason) async throws -> Grant {
        guard !grant.isRevoked else { return grant }
        let now = clock.now()
        guard let revoked = try await storage.revokeGrant(id: grant.id, at: now, event: { .grantRevoked($0, reason: reason, at: now) })
        else { throw Failure.notFound }
        tokenCache?.removeAll()
        try await storage.recordAudit(AuditEvent(
            kind: .grantRevoked, organizationID: grant.organizationID, clientID: grant.clientID, grantID: grant.id,
            actor: actor, createdAt: now
        ))
        return revoked
    }
}
