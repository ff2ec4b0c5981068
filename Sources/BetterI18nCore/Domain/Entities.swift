import Foundation

/// A person who signs in to the dashboard.
public struct User: Sendable, Equatable, Codable {
    public var id: UserID
    public var email: EmailAddress
    public var name: String
    public var createdAt: Date

    public init(id: UserID, email: EmailAddress, name: String, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.createdAt = createdAt
    }
}

/// A tenant: it owns projects, glossary terms and OAuth grants.
public struct Organization: Sendable, Equatable, Codable {
    public var id: OrganizationID
    public var slug: Slug
    public var name: String
    public var createdAt: Date

    public init(id: OrganizationID, slug: Slug, name: String, createdAt: Date) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
    }
}

/// What a member may do in an organization (SPEC §4). Only owners and admins may authorize an
/// OAuth app for it.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case owner, admin, member

    public var canAdminister: Bool { self != .member }

    private var rank: Int {
        switch self {
        case .owner: 0
        case .admin: 1
        case .member: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    public init(parsing raw: String) throws {
        guard let role = Role(rawValue: raw.lowercased()) else {
            throw ValidationError(field: "role", message: "'\(raw.prefix(20))' is not a role (owner, admin, member)")
        }
        self = role
    }
}

public struct Membership: Sendable, Equatable, Codable {
    public var organizationID: OrganizationID
    public var userID: UserID
    public var role: Role
    public var createdAt: Date

    public init(organizationID: OrganizationID, userID: UserID, role: Role, createdAt: Date) {
        self.organizationID = organizationID
        self.userID = userID
        self.role = role
        self.createdAt = createdAt
    }
}

/// An organization the user belongs to, with the user's role in it.
public struct OrganizationMembership: Sendable, Equatable {
    public var organization: Organization
    public var role: Role

    public init(organization: Organization, role: Role) {
        self.organization = organization
        self.role = role
    }
}

public struct Project: Sendable, Equatable, Codable {
    public var id: ProjectID
    public var organizationID: OrganizationID
    public var slug: Slug
    public var name: String
    public var sourceLanguage: LanguageCode
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: ProjectID, organizationID: OrganizationID, slug: Slug, name: String,
        sourceLanguage: LanguageCode, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.organizationID = organizationID
        self.slug = slug
        self.name = name
        self.sourceLanguage = sourceLanguage
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Where a language stands in a project: `active` ones are translated and published, `draft`
/// ones are in preparation, `archived` ones are kept but no longer published.
public enum LanguageStatus: String, Sendable, Codable, CaseIterable {
    case active, draft, archived
}

public struct ProjectLanguage: Sendable, Equatable, Codable {
    public var projectID: ProjectID
    public var code: LanguageCode
    public var status: LanguageStatus
    public var isSource: Bool
    public var createdAt: Date

    public init(projectID: ProjectID, code: LanguageCode, status: LanguageStatus, isSource: Bool, createdAt: Date) {
        self.projectID = projectID
        self.code = code
        self.status = status
        self.isSource = isSource
        self.createdAt = createdAt
    }

    public var name: String { code.englishName }
}

/// A translatable string's identity in a project. Deleting a key is soft (`deletedAt`), so
/// pending changes and releases can still say what was removed.
public struct TranslationKey: Sendable, Equatable, Codable {
    public var id: KeyID
    public var projectID: ProjectID
    public var namespace: NamespaceName
    public var name: KeyName
    public var description: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var deletedAt: Date?

    public init(
        id: KeyID, projectID: ProjectID, namespace: NamespaceName, name: KeyName, description: String?,
        createdAt: Date, updatedAt: Date, deletedAt: Date? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.namespace = namespace
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
    }
}

/// One value of one key in one language, with who wrote it and when.
public struct Translation: Sendable, Equatable, Codable {
    public var keyID: KeyID
    public var language: LanguageCode
    public var value: String
    /// The user id, or the grant id when a partner wrote it.
    public var updatedBy: String?
    public var updatedAt: Date

    public init(keyID: KeyID, language: LanguageCode, value: String, updatedBy: String?, updatedAt: Date) {
        self.keyID = keyID
        self.language = language
        self.value = value
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }
}

/// OAuth client types (SPEC §5.2): `web` apps are confidential and hold a secret; `native` and
/// `spa` apps are public and authenticate with PKCE alone.
public enum ClientType: String, Sendable, Codable, CaseIterable {
    case web, native, spa

    public var isConfidential: Bool { self == .web }

    public init(parsing raw: String) throws {
        guard let type = ClientType(rawValue: raw.lowercased()) else {
            throw ValidationError(field: "type", message: "'\(raw.prefix(20))' is not a client type (web, native, spa)")
        }
        self = type
    }
}

/// A partner application registered with the authorization server.
public struct OAuthClient: Sendable, Equatable {
    public var id: ClientID
    public var name: String
    public var type: ClientType
    public var redirectURIs: [String]
    public var logoURI: String?
    public var clientURI: String?
    public var ownerUserID: UserID?
    /// Digest of the client secret for confidential clients; nil for public ones.
    public var secretDigest: SecretDigest?
    /// Dynamically registered apps (RFC 7591) are shown as unverified on the consent screen.
    public var isVerified: Bool
    public var createdAt: Date
    /// The scopes the client registered (RFC 7591 `scope`): it may never ask for more. Every
    /// scope for clients registered by people and operators.
    public var scopes: ScopeSet

    public init(
        id: ClientID, name: String, type: ClientType, redirectURIs: [String], logoURI: String?, clientURI: String?,
        ownerUserID: UserID?, secretDigest: SecretDigest?, isVerified: Bool, createdAt: Date, scopes: ScopeSet = ScopeSet(Scope.allCases)
    ) {
        self.scopes = scopes
        self.id = id
        self.name = name
        self.type = type
        self.redirectURIs = redirectURIs
        self.logoURI = logoURI
        self.clientURI = clientURI
        self.ownerUserID = ownerUserID
        self.secretDigest = secretDigest
        self.isVerified = isVerified
        self.createdAt = createdAt
    }
}

/// A signed-in dashboard session, stored server-side under the digest of its cookie.
public struct DashboardSession: Sendable, Equatable {
    public var digest: SecretDigest
    public var userID: UserID
    public var createdAt: Date
    public var expiresAt: Date

    public init(digest: SecretDigest, userID: UserID, createdAt: Date, expiresAt: Date) {
        self.digest = digest
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// An organization-level glossary term: how a word is (or is not) translated, per language.
public struct GlossaryTerm: Sendable, Equatable {
    public var organizationID: OrganizationID
    public var term: String
    public var description: String?
    public var translations: [LanguageCode: String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(organizationID: OrganizationID, term: String, description: String?, translations: [LanguageCode: String],
                createdAt: Date, updatedAt: Date) {
        self.organizationID = organizationID
        self.term = term
        self.description = description
        self.translations = translations
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A member of an organization as the Members page lists them.
public struct MemberListing: Sendable, Equatable {
    public var user: User
    public var role: Role
    public var joinedAt: Date

    public init(user: User, role: Role, joinedAt: Date) {
        self.user = user
        self.role = role
        self.joinedAt = joinedAt
    }
}

/// An invitation to join an organization with a role. Its link carries a `bi_inv_` token that
/// is stored only as a digest; it can be accepted once, before `expiresAt`, by a user with
/// `email`.
public struct Invitation: Sendable, Equatable {
    public var id: String
    public var organizationID: OrganizationID
    public var email: EmailAddress
    public var role: Role
    public var tokenDigest: SecretDigest
    /// `usr_…` of the person who invited, or `operator`.
    public var invitedBy: String
    public var createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?
    public var acceptedBy: UserID?

    public init(
        id: String, organizationID: OrganizationID, email: EmailAddress, role: Role, tokenDigest: SecretDigest,
        invitedBy: String, createdAt: Date, expiresAt: Date, acceptedAt: Date? = nil, acceptedBy: UserID? = nil
    ) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.role = role
        self.tokenDigest = tokenDigest
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
        self.acceptedBy = acceptedBy
    }
}

/// What a role change or removal did: the last owner of an organization always stays.
public enum MembershipChange: Sendable, Equatable {
    case done
    case lastOwner
    case notMember
}
