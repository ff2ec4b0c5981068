import BetterI18nCore
import BetterI18nStorage
import Foundation

/// Why a Members page action (or its `admin` command) was refused.
public enum MemberFailure: Error, Equatable, Sendable {
    /// The actor's role does not allow it (`403`).
    case forbidden(String)
    /// No such member or invitation in this organization (`404`).
    case notFound
    /// A field is invalid; the page shows the message by the field.
    case invalid(field: String, message: String)
    /// The organization's last owner cannot be removed or demoted.
    case lastOwner
    /// The invitation link is unknown, used or expired.
    case invitationUnusable(InvitationState.Unusable)
    /// The signed-in user is not the invited email.
    case wrongAccount(invited: String)
    /// A new account for an email that already has one: sign in instead.
    case accountExists
}

/// What an invitation link leads to.
public enum InvitationState: Sendable, Equatable {
    public enum Unusable: Sendable, Equatable {
        case unknown, used, expired
    }

    case open(Invitation, Organization)
    case unusable(Unusable)
}

/// Who acts on an organization's members: a signed-in person (whose role is checked) or the
/// operator's CLI (allowed everything the rules allow, such as keeping the last owner).
public enum MemberActor: Sendable {
    case person(User)
    case `operator`

    var origin: WriteOrigin {
        switch self {
        case .person(let user): .dashboard(user.id)
        case .operator: .cli
        }
    }
}

/// Members and invitations (the dashboard's Members page and the `admin` commands): the one
/// place that decides who may invite, change roles and remove, keeps the last owner, and audits.
///
/// Owners and admins manage members; only an owner may make or touch another owner. An
/// invitation link carries a `bi_inv_` token, stored only as its SHA-256 digest, valid for
/// ``invitationLifetime`` and accepted once, by the invited email only.
public struct MemberService: Sendable {
    public typealias Stores = MemberStore & UserStore & OrganizationStore & AuditStore

    public static let invitationLifetime: TimeInterval = 7 * 24 * 3600

    let storage: any Stores
    let hasher: PasswordHasher
    let clock: any WallClock
    let random: any RandomSource

    public init(storage: any Stores, hasher: PasswordHasher, clock: any WallClock, random: any RandomSource = SystemRandomSource()) {
        self.storage = storage
        self.hasher = hasher
        self.clock = clock
        self.random = random
    }

    /// The absolute link of an invitation: `{public-url}/invitations/{token}`.
    public static func link(publicURL: URL, token: Secret) -> String {
        var base = publicURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/invitations/" + token.value
    }

    public func members(of organization: OrganizationID) async throws -> [MemberListing] {
        try await storage.members(of: organization)
    }

    public func openInvitations(of organization: OrganizationID) async throws -> [Invitation] {
        try await storage.openInvitations(of: organization)
    }

    /// Whether an invitation's seven days are over, by the service's clock.
    public func hasExpired(_ invitation: Invitation) -> Bool {
        invitation.expiresAt <= clock.now()
    }

    // MARK: Inviting

    /// A new invitation and its token, which is shown once and never stored.
    public func invite(email rawEmail: String, role rawRole: String, to organization: Organization, by actor: MemberActor) async throws
        -> (invitation: Invitation, token: Secret) {
        let email: EmailAddress, role: Role
        do {
            email = try EmailAddress(rawEmail)
            role = try Role(parsing: rawRole)
        } catch let error as ValidationError {
            throw MemberFailure.invalid(field: error.field, message: error.message)
        }
        try await authorize(actor, in: organization.id, touching: role)
        if let user = try await storage.user(email: email), try await storage.role(of: user.id, in: organization.id) != nil {
            throw MemberFailure.invalid(field: "email", message: "\(email) is already a member")
        }
        let token = Secret(kind: .invitation, random: random)
        let now = clock.now()
        let invitation = Invitation(
            id: "inv_" + Base62.random(count: 20, from: random), organizationID: organization.id, email: email, role: role,
            tokenDigest: token.digest, invitedBy: actor.origin.actor, createdAt: now, expiresAt: now.addingTimeInterval(Self.invitationLifetime)
        )
        try await storage.createInvitation(invitation)
        try await storage.recordAudit(actor.origin.event(
            .memberInvited, in: organization.id, details: ["email": email.value, "role": role.rawValue, "invitation": invitation.id], at: now
        ))
        return (invitation, token)
    }

    /// Withdraws an open invitation.
    public func revokeInvitation(_ id: String, in organization: OrganizationID, by actor: MemberActor) async throws {
        try await authorize(actor, in: organization, touching: nil)
        guard try await storage.deleteInvitation(id: id, in: organization) else { throw MemberFailure.notFound }
        try await storage.recordAudit(actor.origin.event(.invitationRevoked, in: organization, details: ["invitation": id], at: clock.now()))
    }

    /// What the link `token` leads to now.
    public func invitation(token: String) async throws -> InvitationState {
        guard SecretFormatCheck(token) == .valid(.invitation), let invitation = try await storage.invitation(digest: SecretDigest(of: token)) else {
            return .unusable(.unknown)
        }
        if invitation.acceptedAt != nil { return .unusable(.used) }
        if invitation.expiresAt <= clock.now() { return .unusable(.expired) }
        guard let organization = try await storage.organization(id: invitation.organizationID) else { return .unusable(.unknown) }
        return .open(invitation, organization)
    }

    // MARK: Accepting

    /// Accepts as a new user with the invited email, `name` and `password`; the caller signs
    /// them in.
    public func acceptAsNewUser(token: String, name rawName: String, password: String) async throws -> (User, Invitation) {
        let invitation = try await openInvitation(token)
        let name: DisplayName
        do {
            name = try DisplayName(rawName)
            try PasswordPolicy.check(password)
        } catch let error as ValidationError {
            throw MemberFailure.invalid(field: error.field, message: error.message)
        }
        if try await storage.user(email: invitation.email) != nil { throw MemberFailure.accountExists }
        let user = User(id: .generate(using: random), email: invitation.email, name: name.value, createdAt: clock.now())
        let hash = try await hasher.hash(password)
        let accepted: Invitation?
        do {
            accepted = try await storage.acceptInvitation(digest: SecretDigest(of: token), user: user, newUserPasswordHash: hash, at: clock.now())
        } catch let error as StorageError where error.isConflict {
            throw MemberFailure.accountExists
        }
        guard let accepted else { throw MemberFailure.invitationUnusable(.used) }
        try await recordJoined(accepted, user: user)
        return (user, accepted)
    }

    /// Accepts as the signed-in `user`, whose email must be the invited one.
    public func accept(token: String, as user: User) async throws -> Invitation {
        let invitation = try await openInvitation(token)
        guard invitation.email == user.email else { throw MemberFailure.wrongAccount(invited: invitation.email.value) }
        guard let accepted = try await storage.acceptInvitation(digest: SecretDigest(of: token), user: user, newUserPasswordHash: nil, at: clock.now())
        else { throw MemberFailure.invitationUnusable(.used) }
        try await recordJoined(accepted, user: user)
        return accepted
    }

    private func openInvitation(_ token: String) async throws -> Invitation {
        switch try await invitation(token: token) {
        case .open(let invitation, _): return invitation
        case .unusable(let reason): throw MemberFailure.invitationUnusable(reason)
        }
    }

    private func recordJoined(_ invitation: Invitation, user: User) async throws {
        try await storage.recordAudit(WriteOrigin.dashboard(user.id).event(
            .memberJoined, in: invitation.organizationID,
            details: ["user": user.id.rawValue, "role": invitation.role.rawValue, "invitation": invitation.id], at: clock.now()
        ))
    }

    // MARK: Roles and removal

    public func changeRole(of member: UserID, in organization: OrganizationID, to rawRole: String, by actor: MemberActor) async throws {
        let role: Role
        do { role = try Role(parsing: rawRole) } catch let error as ValidationError {
            throw MemberFailure.invalid(field: error.field, message: error.message)
        }
        guard let current = try await storage.role(of: member, in: organization) else { throw MemberFailure.notFound }
        try await authorize(actor, in: organization, touching: current)
        try await authorize(actor, in: organization, touching: role)
        switch try await storage.changeRole(of: member, in: organization, to: role) {
        case .done: break
        case .lastOwner: throw MemberFailure.lastOwner
        case .notMember: throw MemberFailure.notFound
        }
        try await storage.recordAudit(actor.origin.event(
            .memberRoleChanged, in: organization,
            details: ["user": member.rawValue, "from": current.rawValue, "to": role.rawValue], at: clock.now()
        ))
    }

    public func remove(_ member: UserID, from organization: OrganizationID, by actor: MemberActor) async throws {
        guard let current = try await storage.role(of: member, in: organization) else { throw MemberFailure.notFound }
        try await authorize(actor, in: organization, touching: current)
        switch try await storage.removeMember(member, from: organization) {
        case .done: break
        case .lastOwner: throw MemberFailure.lastOwner
        case .notMember: throw MemberFailure.notFound
        }
        try await storage.recordAudit(actor.origin.event(
            .memberRemoved, in: organization, details: ["user": member.rawValue, "role": current.rawValue], at: clock.now()
        ))
    }

    /// Owners and admins manage members; only an owner grants, changes or removes the owner
    /// role. The operator may do anything the rules allow.
    private func authorize(_ actor: MemberActor, in organization: OrganizationID, touching role: Role?) async throws {
        guard case .person(let user) = actor else { return }
        guard let mine = try await storage.role(of: user.id, in: organization) else { throw MemberFailure.notFound }
        guard mine.canAdminister else { throw MemberFailure.forbidden("Only owners and admins manage members.") }
        if role == .owner, mine != .owner { throw MemberFailure.forbidden("Only an owner can grant or change the owner role.") }
    }
}
