import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import BetterI18nStorage
import Foundation

/// What the operator's `admin` commands and the demo seed do (SPEC §2), shared so both take
/// the same validated path into storage. Every method validates all input before writing, and
/// each write is one transaction, so a refused command leaves nothing behind.
public struct AdminService: Sendable {
    public let storage: any Storage
    public let hasher: PasswordHasher
    public let clock: any WallClock
    public let random: any RandomSource

    public init(storage: any Storage, hasher: PasswordHasher, clock: any WallClock, random: any RandomSource = SystemRandomSource()) {
        self.storage = storage
        self.hasher = hasher
        self.clock = clock
        self.random = random
    }

    public func createUser(email rawEmail: String, name rawName: String, password: String) async throws -> User {
        let email = try EmailAddress(rawEmail)
        let name = try DisplayName(rawName)
        try PasswordPolicy.check(password)
        if try await storage.user(email: email) != nil {
            throw AdminError.conflict("a user with email \(email) already exists")
        }
        let user = User(id: .generate(using: random), email: email, name: name.value, createdAt: clock.now())
        let hash = try await hasher.hash(password)
        try await mapConflict("a user with email \(email) already exists") {
            try await storage.createUser(user, passwordHash: hash)
        }
        return user
    }

    public func createOrganization(slug rawSlug: String, name rawName: String, ownerEmail: String) async throws -> Organization {
        let slug = try Slug(rawSlug)
        let name = try DisplayName(rawName)
        let owner = try await existingUser(email: ownerEmail)
        if try await storage.organization(slug: slug) != nil {
            throw AdminError.conflict("an organization with slug '\(slug)' already exists")
        }
        let organization = Organization(id: .generate(using: random), slug: slug, name: name.value, createdAt: clock.now())
        try await mapConflict("an organization with slug '\(slug)' already exists") {
            try await storage.createOrganization(organization, owner: owner.id)
        }
        return organization
    }

    public func addMember(organizationSlug: String, email: String, role rawRole: String) async throws -> Membership {
        let role = try Role(parsing: rawRole)
        let organization = try await existingOrganization(slug: organizationSlug)
        let user = try await existingUser(email: email)
        if let current = try await storage.role(of: user.id, in: organization.id) {
            throw AdminError.conflict("\(user.email) is already \(current.rawValue) of '\(organization.slug)'")
        }
        let membership = Membership(organizationID: organization.id, userID: user.id, role: role, createdAt: clock.now())
        try await mapConflict("\(user.email) is already a member of '\(organization.slug)'") {
            try await storage.addMember(membership)
        }
        return membership
    }

    /// Creates a project with its source language and the other languages, all active.
    /// Creates a project through the same ``ProjectService`` the partner API uses.
    public func createProject(
        organizationSlug: String, slug rawSlug: String, name rawName: String,
        sourceLanguage rawSource: String, languages rawLanguages: [String]
    ) async throws -> (project: Project, languages: [ProjectLanguage]) {
        let organization = try await existingOrganization(slug: organizationSlug)
        let service = ProjectService(storage: storage, views: ProjectViews(storage: storage), clock: clock, random: random)
        do {
            return try await service.create(
                in: organization.id, slug: rawSlug, name: rawName, sourceLanguage: rawSource, languages: rawLanguages
            )
        } catch ProjectFailure.invalid(let problem) {
            throw ValidationError(field: String(problem.code.dropFirst("invalid_".count)), message: problem.message)
        } catch ProjectFailure.conflict {
            throw AdminError.conflict("organization '\(organization.slug)' already has a project '\(rawSlug)'")
        }
    }

    /// Registers an OAuth client through the one registry every path uses; for `web` clients
    /// the secret is returned once.
    public func createClient(
        name: String, type: String, redirectURIs: [String], ownerEmail: String?,
        logoURI: String? = nil, clientURI: String? = nil
    ) async throws -> (client: OAuthClient, secret: Secret?) {
        let owner = try await ownerEmail.asyncFlatMap { try await existingUser(email: $0) }
        return try await ClientRegistry(storage: storage, clock: clock, random: random).register(
            name: name, type: type, redirectURIs: redirectURIs, owner: owner?.id, logoURI: logoURI, clientURI: clientURI,
            actor: "operator"
        )
    }

    /// Grants of one organization, or of all when `organizationSlug` is nil, newest first.
    public func listGrants(organizationSlug: String?) async throws -> [GrantListing] {
        let organizations: [OrganizationID]
        if let organizationSlug {
            organizations = [try await existingOrganization(slug: organizationSlug).id]
        } else {
            organizations = try await storage.allOrganizationIDs()
        }
        return try await storage.grantListings(organizations: organizations)
    }

    public func revokeGrant(_ raw: String) async throws -> Grant {
        guard let id = GrantID(raw) else {
            throw ValidationError(field: "GRANT_ID", message: "'\(raw.prefix(40))' is not a grt_ id")
        }
        do {
            return try await GrantService(storage: storage, clock: clock).revoke(id, actor: "operator", reason: .admin)
        } catch GrantService.Failure.notFound {
            throw AdminError.notFound("no grant \(id)")
        }
    }

    // MARK: Members, through the same MemberService as the dashboard's Members page

    private var members: MemberService { MemberService(storage: storage, hasher: hasher, clock: clock, random: random) }

    /// An invitation link (`{publicURL}/invitations/{token}`), printed once.
    public func invite(organizationSlug: String, email: String, role: String, publicURL: URL) async throws -> (Invitation, String) {
        let organization = try await existingOrganization(slug: organizationSlug)
        let (invitation, token) = try await Self.mapping { try await members.invite(email: email, role: role, to: organization, by: .operator) }
        return (invitation, MemberService.link(publicURL: publicURL, token: token))
    }

    public func changeRole(organizationSlug: String, email: String, role: String) async throws -> Membership {
        let organization = try await existingOrganization(slug: organizationSlug)
        let user = try await existingUser(email: email)
        try await Self.mapping { try await members.changeRole(of: user.id, in: organization.id, to: role, by: .operator) }
        return Membership(organizationID: organization.id, userID: user.id, role: try Role(parsing: role), createdAt: clock.now())
    }

    public func removeMember(organizationSlug: String, email: String) async throws -> User {
        let organization = try await existingOrganization(slug: organizationSlug)
        let user = try await existingUser(email: email)
        try await Self.mapping { try await members.remove(user.id, from: organization.id, by: .operator) }
        return user
    }

    /// A member refusal as one line for the terminal.
    private static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as MemberFailure {
            switch failure {
            case .invalid(let field, let message): throw ValidationError(field: field, message: message)
            case .lastOwner: throw AdminError.conflict("the organization's last owner cannot be removed or demoted")
            case .notFound: throw AdminError.notFound("that user is not a member of the organization")
            default: throw AdminError.conflict("refused: \(failure)")
            }
        }
    }

    public func auditEvents(organizationSlug: String?, limit: Int = 1000) async throws -> [AuditEvent] {
        let organization = try await organizationSlug.asyncFlatMap { try await existingOrganization(slug: $0).id }
        return try await storage.auditEvents(organization: organization, limit: limit)
    }

    func existingUser(email raw: String) async throws -> User {
        let email = try EmailAddress(raw)
        guard let user = try await storage.user(email: email) else {
            throw AdminError.notFound("no user with email \(email)")
        }
        return user
    }

    func existingOrganization(slug raw: String) async throws -> Organization {
        let slug = try Slug(raw, field: "org")
        guard let organization = try await storage.organization(slug: slug) else {
            throw AdminError.notFound("no organization with slug '\(slug)'")
        }
        return organization
    }

    /// A uniqueness race lost to a concurrent writer reads the same as the pre-check's answer.
    private func mapConflict(_ message: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as StorageError where error.isConflict {
            throw AdminError.conflict(message)
        }
    }
}

/// Why an admin operation was refused, in one line fit for a terminal.
public struct AdminError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case conflict, notFound }
    public let kind: Kind
    public let message: String

    public static func conflict(_ message: String) -> AdminError { AdminError(kind: .conflict, message: message) }
    public static func notFound(_ message: String) -> AdminError { AdminError(kind: .notFound, message: message) }

    public var description: String { message }
}
