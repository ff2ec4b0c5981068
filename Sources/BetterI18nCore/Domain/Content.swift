import enum BetterI18nAPI.JSONValue
import struct BetterI18nAPI.EnumOption
import Foundation

/// The type of a content field (SPEC §10), which decides what values it accepts.
public enum ContentFieldType: String, Sendable, Codable, CaseIterable {
    case text, textarea, richtext, number, boolean, date, datetime
    case enumeration = "enum"
    case media, relation
}

/// A field of a content model. `targetModel` is set for relations, `enumValues` for enums.
public struct ContentFieldDefinition: Sendable, Codable, Equatable {
    public var name: String
    public var displayName: String
    public var type: ContentFieldType
    public var localized: Bool
    public var required: Bool
    public var helpText: String?
    public var enumValues: [EnumOption]?
    public var targetModel: ContentModelID?
    public var multiple: Bool

    public init(name: String, displayName: String, type: ContentFieldType, localized: Bool, required: Bool, helpText: String?,
                enumValues: [EnumOption]?, targetModel: ContentModelID?, multiple: Bool) {
        self.name = name
        self.displayName = displayName
        self.type = type
        self.localized = localized
        self.required = required
        self.helpText = helpText
        self.enumValues = enumValues
        self.targetModel = targetModel
        self.multiple = multiple
    }
}

/// `collection` models hold any number of entries, `single` ones at most one (a pricing page).
public enum ContentModelKindName: String, Sendable, Codable, CaseIterable {
    case collection, single
}

/// A content model of a project: the shape of its entries.
public struct ContentModelRecord: Sendable, Equatable {
    public var id: ContentModelID
    public var projectID: ProjectID
    public var slug: String
    public var displayName: String
    public var description: String?
    public var kind: ContentModelKindName
    public var includeBody: Bool
    public var fields: [ContentFieldDefinition]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: ContentModelID, projectID: ProjectID, slug: String, displayName: String, description: String?,
                kind: ContentModelKindName, includeBody: Bool, fields: [ContentFieldDefinition], createdAt: Date, updatedAt: Date) {
        self.id = id
        self.projectID = projectID
        self.slug = slug
        self.displayName = displayName
        self.description = description
        self.kind = kind
        self.includeBody = includeBody
        self.fields = fields
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public func field(named name: String) -> ContentFieldDefinition? { fields.first { $0.name == name } }
}

/// An entry's status: `archived` hides it from the public API whatever was published.
public enum ContentEntryStatus: String, Sendable, Codable, CaseIterable {
    case draft, published, archived
}

/// What a publish of one language copied: title, body, that language's localized values and
/// the shared values as they were. The public API serves this until the next publish.
public struct ContentSnapshot: Sendable, Codable, Equatable {
    public var title: String
    public var body: String?
    public var fields: [String: JSONValue]
    public var shared: [String: JSONValue]
    public var publishedAt: Date

    public init(title: String, body: String?, fields: [String: JSONValue], shared: [String: JSONValue], publishedAt: Date) {
        self.title = title
        self.body = body
        self.fields = fields
        self.shared = shared
        self.publishedAt = publishedAt
    }
}

/// One language of an entry: the working copy (what edits change) and the published snapshot.
public struct ContentEntryLanguage: Sendable, Equatable {
    public var language: LanguageCode
    public var title: String
    public var body: String?
    public var fields: [String: JSONValue]
    public var updatedAt: Date
    public var published: ContentSnapshot?

    public init(language: LanguageCode, title: String, body: String?, fields: [String: JSONValue], updatedAt: Date,
                published: ContentSnapshot?) {
        self.language = language
        self.title = title
        self.body = body
        self.fields = fields
        self.updatedAt = updatedAt
        self.published = published
    }
}

/// A content entry: shared values, and per language a working copy and a published snapshot.
public struct ContentEntryRecord: Sendable, Equatable {
    public var id: ContentEntryID
    public var projectID: ProjectID
    public var modelID: ContentModelID
    public var slug: String
    public var status: ContentEntryStatus
    public var sourceLanguage: LanguageCode
    public var fields: [String: JSONValue]
    public var languages: [ContentEntryLanguage]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: ContentEntryID, projectID: ProjectID, modelID: ContentModelID, slug: String, status: ContentEntryStatus,
                sourceLanguage: LanguageCode, fields: [String: JSONValue], languages: [ContentEntryLanguage], createdAt: Date,
                updatedAt: Date) {
        self.id = id
        self.projectID = projectID
        self.modelID = modelID
        self.slug = slug
        self.status = status
        self.sourceLanguage = sourceLanguage
        self.fields = fields
        self.languages = languages
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public func language(_ code: LanguageCode) -> ContentEntryLanguage? { languages.first { $0.language == code } }

    /// The newest publish of any language; nil when nothing is published.
    public var publishedAt: Date? { languages.compactMap(\.published?.publishedAt).max() }

    /// Whether the public API may serve it: not archived, with some published snapshot.
    public var isPublic: Bool { status != .archived && languages.contains { $0.published != nil } }
}

/// A `bi_pub_` public Content API key (SPEC §10): one project, read-only, published content
/// only. Only its digest is stored.
public struct PublicKeyRecord: Sendable, Equatable {
    public var id: PublicKeyID
    public var organizationID: OrganizationID
    public var projectID: ProjectID
    public var name: String
    public var digest: SecretDigest
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(id: PublicKeyID, organizationID: OrganizationID, projectID: ProjectID, name: String, digest: SecretDigest,
                createdAt: Date, lastUsedAt: Date?, revokedAt: Date?) {
        self.id = id
        self.organizationID = organizationID
        self.projectID = projectID
        self.name = name
        self.digest = digest
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}
