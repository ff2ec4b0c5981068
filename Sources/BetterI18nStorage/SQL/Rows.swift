import BetterI18nCore
import Foundation
import SQLKit

/// Turns rows back into domain values. Values read back were validated on the way in, so a
/// row that no longer parses means a corrupted database and throws.
enum Rows {
    static func date(_ row: any SQLRow, _ column: String) throws -> Date {
        Date(millisecondsSince1970: try row.decode(column: column, as: Int64.self))
    }

    // Optionals are read as "null?" then the plain type: decoding `T?` goes through SQLKit's
    // nested Codable path, which cost several microseconds a column on large reads (a publish
    // reads 100,000 values).

    static func optionalDate(_ row: any SQLRow, _ column: String) throws -> Date? {
        try row.decodeNil(column: column) ? nil : try date(row, column)
    }

    static func string(_ row: any SQLRow, _ column: String) throws -> String {
        try row.decode(column: column, as: String.self)
    }

    static func optionalString(_ row: any SQLRow, _ column: String) throws -> String? {
        try row.decodeNil(column: column) ? nil : try string(row, column)
    }

    static func user(_ row: any SQLRow) throws -> User {
        User(
            id: UserID(unchecked: try string(row, "id")),
            email: try EmailAddress(try string(row, "email")),
            name: try string(row, "name"),
            createdAt: try date(row, "created_at")
        )
    }

    static func organization(_ row: any SQLRow) throws -> Organization {
        Organization(
            id: OrganizationID(unchecked: try string(row, "id")),
            slug: try Slug(try string(row, "slug")),
            name: try string(row, "name"),
            createdAt: try date(row, "created_at")
        )
    }

    static func project(_ row: any SQLRow) throws -> Project {
        Project(
            id: ProjectID(unchecked: try string(row, "id")),
            organizationID: OrganizationID(unchecked: try string(row, "organization_id")),
            slug: try Slug(try string(row, "slug")),
            name: try string(row, "name"),
            sourceLanguage: try LanguageCode(try string(row, "source_language")),
            createdAt: try date(row, "created_at"),
            updatedAt: try date(row, "updated_at")
        )
    }

    static func projectLanguage(_ row: any SQLRow) throws -> ProjectLanguage {
        ProjectLanguage(
            projectID: ProjectID(unchecked: try string(row, "project_id")),
            code: try LanguageCode(try string(row, "code")),
            status: LanguageStatus(rawValue: try string(row, "status")) ?? .active,
            isSource: try row.decode(column: "is_source", as: Int.self) != 0,
            createdAt: try date(row, "created_at")
        )
    }

    static func key(_ row: any SQLRow) throws -> TranslationKey {
        TranslationKey(
            id: KeyID(unchecked: try string(row, "id")),
            projectID: ProjectID(unchecked: try string(row, "project_id")),
            namespace: NamespaceName.stored(try string(row, "namespace")),
            name: try KeyName(try string(row, "name")),
            description: try optionalString(row, "description"),
            createdAt: try date(row, "created_at"),
            updatedAt: try date(row, "updated_at"),
            deletedAt: try optionalDate(row, "deleted_at")
        )
    }

    /// Stored language codes, each parsed once per read: a project has a handful of languages
    /// and a large read (an export, a publish) 100,000 values of them.
    final class LanguageCodes {
        private var parsed: [String: LanguageCode] = [:]

        func code(_ raw: String) throws -> LanguageCode {
            if let known = parsed[raw] { return known }
            let code = try LanguageCode(raw)
            parsed[raw] = code
            return code
        }
    }

    static func translation(codes: LanguageCodes) -> (any SQLRow) throws -> Translation {
        { row in
            Translation(
                keyID: KeyID(unchecked: try string(row, "key_id")),
                language: try codes.code(try string(row, "language")),
                value: try string(row, "value"),
                updatedBy: try optionalString(row, "updated_by"),
                updatedAt: try date(row, "updated_at")
            )
        }
    }

    static func translation(_ row: any SQLRow) throws -> Translation {
        Translation(
            keyID: KeyID(unchecked: try string(row, "key_id")),
            language: try LanguageCode(try string(row, "language")),
            value: try string(row, "value"),
            updatedBy: try optionalString(row, "updated_by"),
            updatedAt: try date(row, "updated_at")
        )
    }

    static func client(_ row: any SQLRow) throws -> OAuthClient {
        let redirectJSON = try string(row, "redirect_uris")
        return OAuthClient(
            id: ClientID(unchecked: try string(row, "id")),
            name: try string(row, "name"),
            type: ClientType(rawValue: try string(row, "type")) ?? .web,
            redirectURIs: try JSONDecoder().decode([String].self, from: Data(redirectJSON.utf8)),
            logoURI: try row.decode(column: "logo_uri", as: String?.self),
            clientURI: try row.decode(column: "client_uri", as: String?.self),
            ownerUserID: try row.decode(column: "owner_user_id", as: String?.self).map(UserID.init(unchecked:)),
            secretDigest: try row.decode(column: "secret_digest", as: String?.self).map(SecretDigest.init(hex:)),
            isVerified: try row.decode(column: "is_verified", as: Int.self) != 0,
            createdAt: try date(row, "created_at"),
            scopes: try optionalString(row, "scopes").flatMap(ScopeSet.init(parsing:)) ?? ScopeSet(Scope.allCases)
        )
    }
}

// MARK: - OAuth rows

extension Rows {
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func scopes(_ row: any SQLRow, _ column: String) throws -> ScopeSet {
        ScopeSet(parsing: try string(row, column)) ?? ScopeSet([])
    }

    static func projectIDs(_ row: any SQLRow, _ column: String) throws -> [ProjectID] {
        try decodeJSON([String].self, try string(row, column)).map(ProjectID.init(unchecked:))
    }

    static func grant(_ row: any SQLRow) throws -> Grant {
        try grant(row, prefix: "")
    }

    /// A grant from columns named `<prefix>id`, `<prefix>client_id`, … (joins alias them).
    static func grant(_ row: any SQLRow, prefix: String) throws -> Grant {
        Grant(
            id: GrantID(unchecked: try string(row, prefix + "id")),
            clientID: ClientID(unchecked: try string(row, prefix + "client_id")),
            organizationID: OrganizationID(unchecked: try string(row, prefix + "organization_id")),
            userID: UserID(unchecked: try string(row, prefix + "user_id")),
            scopes: try scopes(row, prefix + "scopes"),
            projectIDs: try projectIDs(row, prefix + "project_ids"),
            createdAt: try date(row, prefix + "created_at"),
            updatedAt: try date(row, prefix + "updated_at"),
            lastUsedAt: try optionalDate(row, prefix + "last_used_at"),
            revokedAt: try optionalDate(row, prefix + "revoked_at")
        )
    }

    static func pending(_ row: any SQLRow) throws -> PendingAuthorization {
        PendingAuthorization(
            id: try string(row, "id"),
            userID: UserID(unchecked: try string(row, "user_id")),
            clientID: ClientID(unchecked: try string(row, "client_id")),
            redirectURI: try string(row, "redirect_uri"),
            scopes: try scopes(row, "scopes"),
            state: try row.decode(column: "state", as: String?.self),
            codeChallenge: try string(row, "code_challenge"),
            resource: try row.decode(column: "resource", as: String?.self),
            createdAt: try date(row, "created_at"),
            expiresAt: try date(row, "expires_at")
        )
    }

    static func code(_ row: any SQLRow) throws -> AuthorizationCodeRecord {
        AuthorizationCodeRecord(
            digest: SecretDigest(hex: try string(row, "digest")),
            clientID: ClientID(unchecked: try string(row, "client_id")),
            grantID: GrantID(unchecked: try string(row, "grant_id")),
            userID: UserID(unchecked: try string(row, "user_id")),
            familyID: FamilyID(rawValue: try string(row, "family_id")),
            redirectURI: try string(row, "redirect_uri"),
            scopes: try scopes(row, "scopes"),
            codeChallenge: try string(row, "code_challenge"),
            resource: try row.decode(column: "resource", as: String?.self),
            createdAt: try date(row, "created_at"),
            expiresAt: try date(row, "expires_at"),
            consumedAt: try optionalDate(row, "consumed_at")
        )
    }

    static func token(_ row: any SQLRow) throws -> TokenRecord {
        TokenRecord(
            digest: SecretDigest(hex: try string(row, "digest")),
            kind: TokenKind(rawValue: try string(row, "kind")) ?? .access,
            clientID: ClientID(unchecked: try string(row, "client_id")),
            grantID: GrantID(unchecked: try string(row, "grant_id")),
            familyID: FamilyID(rawValue: try string(row, "family_id")),
            userID: UserID(unchecked: try string(row, "user_id")),
            scopes: try scopes(row, "scopes"),
            projectIDs: try projectIDs(row, "project_ids"),
            resource: try row.decode(column: "resource", as: String?.self),
            createdAt: try date(row, "created_at"),
            expiresAt: try date(row, "expires_at"),
            revokedAt: try optionalDate(row, "revoked_at"),
            rotatedAt: try optionalDate(row, "rotated_at")
        )
    }

    static func tokenState(_ row: any SQLRow) throws -> TokenState {
        TokenState(
            token: try token(row),
            grant: try grant(row, prefix: "g_"),
            familyRevokedAt: try optionalDate(row, "family_revoked_at")
        )
    }

    static func audit(_ row: any SQLRow) throws -> AuditEvent {
        AuditEvent(
            id: try string(row, "id"),
            kind: AuditEvent.Kind(rawValue: try string(row, "kind")) ?? .grantUpdated,
            organizationID: try row.decode(column: "organization_id", as: String?.self).map(OrganizationID.init(unchecked:)),
            clientID: try row.decode(column: "client_id", as: String?.self).map(ClientID.init(unchecked:)),
            grantID: try row.decode(column: "grant_id", as: String?.self).map(GrantID.init(unchecked:)),
            actor: try string(row, "actor"),
            details: try decodeJSON([String: String].self, try string(row, "details")),
            createdAt: try date(row, "created_at")
        )
    }
}

extension Rows {
    static func glossaryTerm(_ row: any SQLRow) throws -> GlossaryTerm {
        let raw = try decodeJSON([String: String].self, try string(row, "translations"))
        var translations: [LanguageCode: String] = [:]
        for (code, value) in raw { translations[try LanguageCode(code)] = value }
        return GlossaryTerm(
            organizationID: OrganizationID(unchecked: try string(row, "organization_id")),
            term: try string(row, "term"),
            description: try row.decode(column: "description", as: String?.self),
            translations: translations,
            createdAt: try date(row, "created_at"),
            updatedAt: try date(row, "updated_at")
        )
    }
}
