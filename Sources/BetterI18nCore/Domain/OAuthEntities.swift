import Foundation

/// A partner–organization pair (SPEC §5.3): one live grant per (client, organization), updated
/// in place by a new consent; once revoked it is never revived.
public struct Grant: Sendable, Equatable {
    public var id: GrantID
    public var clientID: ClientID
    public var organizationID: OrganizationID
    /// Who approved it most recently.
    public var userID: UserID
    public var scopes: ScopeSet
    /// Empty means every project of the organization, now and later.
    public var projectIDs: [ProjectID]
    public var createdAt: Date
    public var updatedAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: GrantID, clientID: ClientID, organizationID: OrganizationID, userID: UserID, scopes: ScopeSet,
        projectIDs: [ProjectID], createdAt: Date, updatedAt: Date, lastUsedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.organizationID = organizationID
        self.userID = userID
        self.scopes = scopes
        self.projectIDs = projectIDs
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}

/// An authorization request waiting for the user's decision on the consent page; stored
/// server-side for ten minutes and consumed once (SPEC §5.3).
public struct PendingAuthorization: Sendable, Equatable {
    public var id: String
    public var userID: UserID
    public var clientID: ClientID
    public var redirectURI: String
    public var scopes: ScopeSet
    public var state: String?
    public var codeChallenge: String
    public var resource: String?
    public var createdAt: Date
    public var expiresAt: Date

    public init(
        id: String, userID: UserID, clientID: ClientID, redirectURI: String, scopes: ScopeSet, state: String?,
        codeChallenge: String, resource: String?, createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
        self.codeChallenge = codeChallenge
        self.resource = resource
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Identifies everything that descends from one code exchange (SPEC §5.4).
public struct FamilyID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static func generate(using random: any RandomSource = SystemRandomSource()) -> FamilyID {
        FamilyID(rawValue: "fam_" + Base62.random(count: 20, from: random))
    }
    public var description: String { rawValue }
}

/// An issued authorization code, stored by digest.
public struct AuthorizationCodeRecord: Sendable, Equatable {
    public var digest: SecretDigest
    public var clientID: ClientID
    public var grantID: GrantID
    public var userID: UserID
    public var familyID: FamilyID
    public var redirectURI: String
    public var scopes: ScopeSet
    public var codeChallenge: String
    public var resource: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var consumedAt: Date?

    public init(
        digest: SecretDigest, clientID: ClientID, grantID: GrantID, userID: UserID, familyID: FamilyID, redirectURI: String,
        scopes: ScopeSet, codeChallenge: String, resource: String?, createdAt: Date, expiresAt: Date, consumedAt: Date? = nil
    ) {
        self.digest = digest
        self.clientID = clientID
        self.grantID = grantID
        self.userID = userID
        self.familyID = familyID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.codeChallenge = codeChallenge
        self.resource = resource
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.consumedAt = consumedAt
    }
}

/// The kinds of bearer tokens kept in the token table.
public enum TokenKind: String, Sendable, CaseIterable {
    case access, refresh, installation

    /// RFC 7662 `token_type` names (SPEC §5.5).
    public var introspectionName: String {
        switch self {
        case .access: "access_token"
        case .refresh: "refresh_token"
        case .installation: "installation_token"
        }
    }

    public var secretKind: SecretKind {
        switch self {
        case .access: .accessToken
        case .refresh: .refreshToken
        case .installation: .installationToken
        }
    }
}

/// An issued access, refresh or installation token, stored by digest.
public struct TokenRecord: Sendable, Equatable {
    public var digest: SecretDigest
    public var kind: TokenKind
    public var clientID: ClientID
    public var grantID: GrantID
    public var familyID: FamilyID
    public var userID: UserID
    public var scopes: ScopeSet
    /// Empty means every project the grant covers.
    public var projectIDs: [ProjectID]
    public var resource: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    /// Refresh tokens only: when it was exchanged for a new pair.
    public var rotatedAt: Date?

    public init(
        digest: SecretDigest, kind: TokenKind, clientID: ClientID, grantID: GrantID, familyID: FamilyID, userID: UserID,
        scopes: ScopeSet, projectIDs: [ProjectID], resource: String?, createdAt: Date, expiresAt: Date,
        revokedAt: Date? = nil, rotatedAt: Date? = nil
    ) {
        self.digest = digest
        self.kind = kind
        self.clientID = clientID
        self.grantID = grantID
        self.familyID = familyID
        self.userID = userID
        self.scopes = scopes
        self.projectIDs = projectIDs
        self.resource = resource
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.rotatedAt = rotatedAt
    }
}

/// A token with everything that decides whether it still works.
public struct TokenState: Sendable, Equatable {
    public var token: TokenRecord
    public var grant: Grant
    public var familyRevokedAt: Date?

    public init(token: TokenRecord, grant: Grant, familyRevokedAt: Date?) {
        self.token = token
        self.grant = grant
        self.familyRevokedAt = familyRevokedAt
    }

    /// Revoked by itself or with its family (RFC 7009, replay, reuse) — not by the grant.
    public var isRevoked: Bool { token.revokedAt != nil || familyRevokedAt != nil }

    public func isExpired(at now: Date) -> Bool { token.expiresAt <= now }
}

/// Something worth an audit trail (SPEC §5 issue: grants, replays, reuse, client changes).
public struct AuditEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case grantCreated = "grant.created"
        case grantUpdated = "grant.updated"
        case grantRevoked = "grant.revoked"
        case codeReplayed = "code.replayed"
        case refreshTokenReused = "refresh_token.reused"
        case clientRegistered = "client.registered"
        case clientSecretRotated = "client.secret_rotated"
        case clientDeleted = "client.deleted"
        case installationTokenMinted = "installation_token.minted"
        case translationsPublished = "translations.published"
        case translationsUpdated = "translations.updated"
        case keysCreated = "keys.created"
        case keyUpdated = "key.updated"
        case keysDeleted = "keys.deleted"
        case languageAdded = "language.added"
        case memberInvited = "member.invited"
        case memberJoined = "member.joined"
        case memberRoleChanged = "member.role_changed"
        case memberRemoved = "member.removed"
        case invitationRevoked = "invitation.revoked"
    }

    public var id: String
    public var kind: Kind
    public var organizationID: OrganizationID?
    public var clientID: ClientID?
    public var grantID: GrantID?
    /// `usr_…` for a person, `bic_…` for a client, `operator` for the CLI.
    public var actor: String
    /// Extra facts as a flat map (scopes, projects, ip); never secrets.
    public var details: [String: String]
    public var createdAt: Date

    public init(
        id: String = "evt_" + Base62.random(count: 20, from: SystemRandomSource()), kind: Kind,
        organizationID: OrganizationID?, clientID: ClientID?, grantID: GrantID?, actor: String,
        details: [String: String] = [:], createdAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.organizationID = organizationID
        self.clientID = clientID
        self.grantID = grantID
        self.actor = actor
        self.details = details
        self.createdAt = createdAt
    }
}

/// The projects a token reaches (SPEC §6.1): its own list intersected with its grant's current
/// list, as its scopes are with the grant's scopes. A stored empty list means "every project"
/// only as a requested or granted value; an intersection that leaves nothing reaches nothing.
public enum ProjectReach: Sendable, Equatable {
    /// Every project of the organization, now and later.
    case all
    /// Only these (possibly none).
    case only(Set<ProjectID>)

    /// A stored list: empty means every project.
    public init(stored ids: [ProjectID]) {
        self = ids.isEmpty ? .all : .only(Set(ids))
    }

    /// What a token's own list and its grant's current list leave together.
    public init(token: [ProjectID], grant: [ProjectID]) {
        self = ProjectReach(stored: token).intersection(ProjectReach(stored: grant))
    }

    public func intersection(_ other: ProjectReach) -> ProjectReach {
        switch (self, other) {
        case (.all, _): other
        case (_, .all): self
        case (.only(let mine), .only(let theirs)): .only(mine.intersection(theirs))
        }
    }

    public func contains(_ id: ProjectID) -> Bool {
        switch self {
        case .all: true
        case .only(let ids): ids.contains(id)
        }
    }

    public var reachesNothing: Bool { self == .only([]) }
}
