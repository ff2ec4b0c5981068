import BetterI18nCore
import BetterI18nStorage
import Foundation

/// Mints installation tokens (SPEC §6.1): the only thing an OAuth access token can do. An
/// installation token belongs to the access token's family, so revoking the family (a replayed
/// code, a reused refresh token, an RFC 7009 revocation of the refresh token) takes it too, and
/// to the grant, so revoking the grant answers `410` for it at once.
public struct InstallationTokens: Sendable {
    public enum Failure: Error, Equatable, Sendable {
        /// The path names a grant other than the access token's.
        case grantNotFound
        case invalidScope(String)
        case invalidProject(String)
        case rateLimited(retryAfter: Int)
    }

    /// What the mint endpoint answers.
    public struct Minted: Sendable {
        public let token: Secret
        public let record: TokenRecord
        public let organizationID: OrganizationID
    }

    let storage: any Storage
    let settings: OAuthSettings
    let clock: any WallClock
    let random: any RandomSource
    let limiter: RateLimiter

    /// - Parameter mintsPerMinute: per grant (SPEC §6.3: 30).
    public init(storage: any Storage, settings: OAuthSettings, clock: any WallClock, random: any RandomSource = SystemRandomSource(),
                mintsPerMinute: Int = 30) {
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.random = random
        self.limiter = RateLimiter(limit: mintsPerMinute, window: 60, clock: clock)
    }

    /// - Parameters:
    ///   - access: the authenticated OAuth access token.
    ///   - requestedScopes: narrows the token (GitHub-style); nil means all of the access token's.
    ///   - requestedProjects: narrows the projects; nil means the grant's.
    public func mint(
        with access: AuthenticatedToken, grantID rawGrant: String, requestedScopes: [String]?, requestedProjects: [String]?
    ) async throws -> Minted {
        guard let grantID = GrantID(rawGrant), grantID == access.grant.id else { throw Failure.grantNotFound }
        let decision = limiter.record(grantID.rawValue)
        guard decision.allowed else { throw Failure.rateLimited(retryAfter: decision.retryAfter) }

        var scopes = access.scopes
        if let requestedScopes {
            var narrowed: Set<Scope> = []
            for raw in requestedScopes {
                // Only a known scope name is echoed: anything else may be a pasted secret.
                guard let scope = Scope(rawValue: raw) else { throw Failure.invalidScope("a requested scope is unknown") }
                guard access.scopes.contains(scope) else { throw Failure.invalidScope("'\(scope.rawValue)' is not a scope of this grant") }
                narrowed.insert(scope)
            }
            guard !narrowed.isEmpty else { throw Failure.invalidScope("scopes must not be empty") }
            scopes = ScopeSet(narrowed)
        }
        let grant = access.grant
        // The access token's projects as the grant allows them now; a mint can only narrow them.
        let reach = access.projects
        guard !reach.reachesNothing else {
            throw Failure.invalidProject("the grant no longer covers any project of this access token")
        }
        var projects: [ProjectID]
        switch reach {
        case .all: projects = []
        case .only(let ids): projects = ids.sorted()
        }
        if let requestedProjects, !requestedProjects.isEmpty {
            let allowed: Set<ProjectID>
            switch reach {
            case .all: allowed = Set(try await storage.projects(in: grant.organizationID).map(\.id))
            case .only(let ids): allowed = ids
            }
            var narrowed: [ProjectID] = []
            for raw in requestedProjects {
                guard let id = ProjectID(raw) else { throw Failure.invalidProject("a requested project id is malformed") }
                guard allowed.contains(id) else { throw Failure.invalidProject("'\(id.rawValue)' is not a project this grant covers") }
                if !narrowed.contains(id) { narrowed.append(id) }
            }
            projects = narrowed.sorted()
        }

        let now = clock.now()
        let secret = Secret(kind: .installationToken, random: random)
        let record = TokenRecord(
            digest: secret.digest, kind: .installation, clientID: access.state.token.clientID, grantID: grant.id,
            familyID: access.state.token.familyID, userID: access.state.token.userID, scopes: scopes, projectIDs: projects,
            resource: access.state.token.resource, createdAt: now, expiresAt: now.addingTimeInterval(settings.installationTokenTTL)
        )
        try await storage.issueTokens([record])
        try await storage.recordAudit(AuditEvent(
            kind: .installationTokenMinted, organizationID: grant.organizationID, clientID: grant.clientID, grantID: grant.id,
            actor: grant.clientID.rawValue,
            details: ["scopes": scopes.description, "projects": projects.isEmpty ? "all" : projects.map(\.rawValue).joined(separator: " ")],
            createdAt: now
        ))
        return Minted(token: secret, record: record, organizationID: grant.organizationID)
    }
}
