import BetterI18nCore
import Foundation
import SQLKit

/// Turns rows back into domain values. Values read back were validated on the way in, so a
/// row that no longer parses means a corrupted database and throws.
enum Rows {
    static func date(_ row: any SQLRow, _ column: String) throws -> Date {
        Date(millisecondsSince1970: try row.decode(column: column, as: Int64.self))
    }

    static func optionalDate(_ row: any SQLRow, _ column: String) throws -> Date? {
        try row.decode(column: column, as: Int64?.self).map(Date.init(millisecondsSince1970:))
    }

    static func string(_ row: any SQLRow, _ column: String) throws -> String {
        try row.decode(column: column, as: String.self)
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
            namespace: try NamespaceName(try string(row, "namespace")),
            name: try KeyName(try string(row, "name")),
            description: try row.decode(column: "description", as: String?.self),
            createdAt: try date(row, "created_at"),
            updatedAt: try date(row, "updated_at"),
            deletedAt: try optionalDate(row, "deleted_at")
        )
    }

    static func translation(_ row: any SQLRow) throws -> Translation {
        Translation(
            keyID: KeyID(unchecked: try string(row, "key_id")),
            language: try LanguageCode(try string(row, "language")),
            value: try string(row, "value"),
            updatedBy: try row.decode(column: "updated_by", as: String?.self),
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
            createdAt: try date(row, "created_at")
        )
    }
}
