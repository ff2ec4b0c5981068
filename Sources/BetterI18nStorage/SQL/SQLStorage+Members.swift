import BetterI18nCore
import Foundation
import SQLKit

// MARK: - Members and invitations

extension SQLStorage {
    public func members(of organization: OrganizationID) async throws -> [MemberListing] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT u.*, m.role AS m_role, m.created_at AS m_created_at FROM memberships m
                JOIN users u ON u.id = m.user_id
                WHERE m.organization_id = \(bind: organization.rawValue)
                ORDER BY u.name, u.email
                """).all().map { row in
                MemberListing(
                    user: try Rows.user(row), role: Role(rawValue: try Rows.string(row, "m_role")) ?? .member,
                    joinedAt: try Rows.date(row, "m_created_at")
                )
            }.sorted { $0.role < $1.role }
        }
    }

    public func changeRole(of user: UserID, in organization: OrganizationID, to role: Role) async throws -> MembershipChange {
        try await driver.writing { database in
            try await Self.lockOrganization(organization, on: database)
            guard let current = try await Self.role(of: user, in: organization, on: database) else { return .notMember }
            if current == .owner, role != .owner, try await Self.ownerCount(organization, on: database) <= 1 { return .lastOwner }
            try await database.raw("""
                UPDATE memberships SET role = \(bind: role.rawValue)
                WHERE organization_id = \(bind: organization.rawValue) AND user_id = \(bind: user.rawValue)
                """).run()
            return .done
        }
    }

    public func removeMember(_ user: UserID, from organization: OrganizationID) async throws -> MembershipChange {
        try await driver.writing { database in
            try await Self.lockOrganization(organization, on: database)
            guard let current = try await Self.role(of: user, in: organization, on: database) else { return .notMember }
            if current == .owner, try await Self.ownerCount(organization, on: database) <= 1 { return .lastOwner }
            try await database.raw("""
                DELETE FROM memberships WHERE organization_id = \(bind: organization.rawValue) AND user_id = \(bind: user.rawValue)
                """).run()
            return .done
        }
    }

    /// A no-op write of the organization's row: PostgreSQL then holds its row lock until the
    /// transaction ends, so two changes of one organization's members cannot both see two
    /// owners and each remove one. (SQLite has one writer anyway.)
    private static func lockOrganization(_ organization: OrganizationID, on database: any SQLDatabase) async throws {
        try await database.raw("UPDATE organizations SET name = name WHERE id = \(bind: organization.rawValue)").run()
    }

    private static func role(of user: UserID, in organization: OrganizationID, on database: any SQLDatabase) async throws -> Role? {
        try await database.raw("""
            SELECT role FROM memberships WHERE organization_id = \(bind: organization.rawValue) AND user_id = \(bind: user.rawValue)
            """).first().flatMap { Role(rawValue: try Rows.string($0, "role")) }
    }

    private static func ownerCount(_ organization: OrganizationID, on database: any SQLDatabase) async throws -> Int {
        try await database.raw("""
            SELECT COUNT(*) AS n FROM memberships WHERE organization_id = \(bind: organization.rawValue) AND role = 'owner'
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    public func createInvitation(_ invitation: Invitation) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO invitations (id, organization_id, email, role, token_digest, invited_by, created_at, expires_at)
                VALUES (\(bind: invitation.id), \(bind: invitation.organizationID.rawValue), \(bind: invitation.email.value),
                        \(bind: invitation.role.rawValue), \(bind: invitation.tokenDigest.hex), \(bind: invitation.invitedBy),
                        \(bind: invitation.createdAt.millisecondsSince1970), \(bind: invitation.expiresAt.millisecondsSince1970))
                """).run()
        }
    }

    public func invitation(digest: SecretDigest) async throws -> Invitation? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM invitations WHERE token_digest = \(bind: digest.hex)").first().map(Self.invitation)
        }
    }

    public func openInvitations(of organization: OrganizationID) async throws -> [Invitation] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM invitations WHERE organization_id = \(bind: organization.rawValue) AND accepted_at IS NULL
                ORDER BY created_at DESC
                """).all().map(Self.invitation)
        }
    }

    public func deleteInvitation(id: String, in organization: OrganizationID) async throws -> Bool {
        try await driver.writing { database in
            try await database.raw("""
                DELETE FROM invitations
                WHERE id = \(bind: id) AND organization_id = \(bind: organization.rawValue) AND accepted_at IS NULL
                RETURNING id
                """).first() != nil
        }
    }

    public func acceptInvitation(digest: SecretDigest, user: User, newUserPasswordHash: String?, at time: Date) async throws -> Invitation? {
        try await driver.writing { database in
            let now = time.millisecondsSince1970
            guard let row = try await database.raw("""
                UPDATE invitations SET accepted_at = \(bind: now), accepted_by = \(bind: user.id.rawValue)
                WHERE token_digest = \(bind: digest.hex) AND accepted_at IS NULL AND expires_at > \(bind: now)
                RETURNING *
                """).first() else { return nil }
            let invitation = try Self.invitation(row)
            if let hash = newUserPasswordHash {
                try await database.raw("""
                    INSERT INTO users (id, email, name, password_hash, created_at)
                    VALUES (\(bind: user.id.rawValue), \(bind: user.email.value), \(bind: user.name),
                            \(bind: hash), \(bind: user.createdAt.millisecondsSince1970))
                    """).run()
            }
            if let current = try await Self.role(of: user.id, in: invitation.organizationID, on: database) {
                if invitation.role < current {
                    try await database.raw("""
                        UPDATE memberships SET role = \(bind: invitation.role.rawValue)
                        WHERE organization_id = \(bind: invitation.organizationID.rawValue) AND user_id = \(bind: user.id.rawValue)
                        """).run()
                }
            } else {
                try await database.raw("""
                    INSERT INTO memberships (organization_id, user_id, role, created_at)
                    VALUES (\(bind: invitation.organizationID.rawValue), \(bind: user.id.rawValue),
                            \(bind: invitation.role.rawValue), \(bind: now))
                    """).run()
            }
            return invitation
        }
    }

    static func invitation(_ row: any SQLRow) throws -> Invitation {
        Invitation(
            id: try Rows.string(row, "id"), organizationID: OrganizationID(unchecked: try Rows.string(row, "organization_id")),
            email: try EmailAddress(try Rows.string(row, "email")), role: Role(rawValue: try Rows.string(row, "role")) ?? .member,
            tokenDigest: SecretDigest(hex: try Rows.string(row, "token_digest")),
            invitedBy: try Rows.string(row, "invited_by"),
            createdAt: try Rows.date(row, "created_at"), expiresAt: try Rows.date(row, "expires_at"),
            acceptedAt: try Rows.optionalDate(row, "accepted_at"),
            acceptedBy: try Rows.optionalString(row, "accepted_by").map(UserID.init(unchecked:))
        )
    }

    public func valueCounts(in project: ProjectID) async throws -> [LanguageCode: Int] {
        try await driver.reading { database in
            var counts: [LanguageCode: Int] = [:]
            for row in try await database.raw("""
                SELECT t.language AS language, COUNT(*) AS n FROM translation_keys k
                JOIN translations t ON t.key_id = k.id
                WHERE k.project_id = \(bind: project.rawValue) AND k.deleted_at IS NULL
                GROUP BY t.language
                """).all() {
                counts[try LanguageCode(try Rows.string(row, "language"))] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }
}
