import BetterI18nCore
import BetterI18nStorage
import Foundation

/// What the consent page shows for one pending request (SPEC §5.3 step 4).
public struct ConsentScreen: Sendable {
    public struct OrganizationChoice: Sendable {
        public let organization: Organization
        public let projects: [Project]
    }

    public let pending: PendingAuthorization
    public let client: OAuthClient
    /// Organizations where the user is owner or admin, each with its projects.
    public let organizations: [OrganizationChoice]
}

/// The user's answer on the consent form.
public struct ConsentDecision: Sendable {
    public let requestID: String
    public let approve: Bool
    public let organizationID: String?
    /// `all` or `selected`.
    public let projectAccess: String?
    public let projectIDs: [String]
    public let scopes: [String]

    public init(requestID: String, approve: Bool, organizationID: String?, projectAccess: String?, projectIDs: [String], scopes: [String]) {
        self.requestID = requestID
        self.approve = approve
        self.organizationID = organizationID
        self.projectAccess = projectAccess
        self.projectIDs = projectIDs
        self.scopes = scopes
    }
}

public enum ConsentOutcome: Sendable {
    /// Back to the client with a code or `access_denied`.
    case redirect(String)
    /// The choice was incomplete: show the page again with this message.
    case showAgain(ConsentScreen, error: String)
    /// Unknown, expired, used or someone else's request: nothing happens.
    case requestNotFound
}

/// Turns a validated authorization request into a consent page, and the user's decision into a
/// grant and a code (SPEC §5.3 steps 4–5).
public struct ConsentService: Sendable {
    let storage: any Storage
    let settings: OAuthSettings
    let clock: any WallClock
    let random: any RandomSource
    let tokenCache: TokenStateCache?

    public init(storage: any Storage, settings: OAuthSettings, clock: any WallClock, random: any RandomSource = SystemRandomSource(),
                tokenCache: TokenStateCache? = nil) {
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.random = random
        self.tokenCache = tokenCache
    }

    /// Stores the request server-side (ten minutes, single use) and gathers the page's choices.
    public func prepare(_ request: AuthorizationRequest, user: User) async throws -> ConsentScreen {
        let now = clock.now()
        let pending = PendingAuthorization(
            id: Base62.random(count: 32, from: random), userID: user.id, clientID: request.client.id,
            redirectURI: request.redirectURI, scopes: request.scopes, state: request.state,
            codeChallenge: request.codeChallenge, resource: request.resource,
            createdAt: now, expiresAt: now.addingTimeInterval(settings.pendingRequestTTL)
        )
        try await storage.createPendingAuthorization(pending)
        return ConsentScreen(pending: pending, client: request.client, organizations: try await choices(for: user))
    }

    private func choices(for user: User) async throws -> [ConsentScreen.OrganizationChoice] {
        var choices: [ConsentScreen.OrganizationChoice] = []
        for membership in try await storage.memberships(of: user.id) where membership.role.canAdminister {
            choices.append(.init(organization: membership.organization, projects: try await storage.projects(in: membership.organization.id)))
        }
        return choices
    }

    public func decide(_ decision: ConsentDecision, user: User) async throws -> ConsentOutcome {
        let now = clock.now()
        guard let pending = try await storage.pendingAuthorization(id: decision.requestID, userID: user.id, at: now),
              let client = try await storage.client(id: pending.clientID)
        else {
            return .requestNotFound
        }
        guard decision.approve else {
            guard try await storage.consumePendingAuthorization(id: pending.id, userID: user.id, at: now) != nil else {
                return .requestNotFound
            }
            return .redirect(AuthorizationResponse.error(
                .accessDenied("user denied"), redirectURI: pending.redirectURI, state: pending.state, issuer: settings.issuer
            ))
        }
        let screen = ConsentScreen(pending: pending, client: client, organizations: try await choices(for: user))
        // Granted scopes = checked ∩ requested; a scope that was not requested cannot be added.
        let checked = ScopeSet(decision.scopes.compactMap(Scope.init(rawValue:)))
        let granted = checked.intersection(pending.scopes)
        guard !granted.isEmpty else {
            return .showAgain(screen, error: "Choose at least one permission to grant, or deny the request.")
        }
        guard let organizationID = decision.organizationID.flatMap(OrganizationID.init),
              let choice = screen.organizations.first(where: { $0.organization.id == organizationID })
        else {
            return .showAgain(screen, error: "Choose an organization you administer.")
        }
        let projectIDs: [ProjectID]
        switch decision.projectAccess {
        case "all":
            projectIDs = []
        case "selected":
            let owned = Set(choice.projects.map(\.id))
            let chosen = decision.projectIDs.compactMap(ProjectID.init).filter(owned.contains)
            guard !chosen.isEmpty else {
                return .showAgain(screen, error: "Select at least one project of \(choice.organization.name), or allow all projects.")
            }
            projectIDs = Array(Set(chosen)).sorted()
        default:
            return .showAgain(screen, error: "Choose whether the app may reach all projects or only selected ones.")
        }
        // Single use: of two submissions of one request, only one gets this far.
        guard try await storage.consumePendingAuthorization(id: pending.id, userID: user.id, at: now) != nil else {
            return .requestNotFound
        }
        let (grant, created) = try await storage.approveGrant(
            newID: .generate(using: random), clientID: client.id, organizationID: organizationID, userID: user.id,
            scopes: granted, projectIDs: projectIDs, at: now,
            events: { previous, grant in
                if let previous { return [OutboxEvent.grantUpdated(from: previous, to: grant, at: now)].compactMap { $0 } }
                return [.grantCreated(grant, at: now)]
            }
        )
        // An updated grant changes what its live tokens may do.
        if !created { tokenCache?.removeAll() }
        try await storage.recordAudit(AuditEvent(
            kind: created ? .grantCreated : .grantUpdated, organizationID: organizationID, clientID: client.id,
            grantID: grant.id, actor: user.id.rawValue,
            details: ["scopes": granted.description, "projects": projectIDs.isEmpty ? "all" : projectIDs.map(\.rawValue).joined(separator: " ")],
            createdAt: now
        ))
        let code = Secret(kind: .authorizationCode, random: random)
        try await storage.createAuthorizationCode(AuthorizationCodeRecord(
            digest: code.digest, clientID: client.id, grantID: grant.id, userID: user.id, familyID: .generate(using: random),
            redirectURI: pending.redirectURI, scopes: granted, codeChallenge: pending.codeChallenge, resource: pending.resource,
            createdAt: now, expiresAt: now.addingTimeInterval(settings.codeTTL)
        ))
        return .redirect(AuthorizationResponse.redirect(
            to: pending.redirectURI, parameters: [("code", code.value), ("state", pending.state)], issuer: settings.issuer
        ))
    }
}
