/// A type that appears in list answers, under its own key (`{"keys":[…],"next_cursor":…}`).
public protocol Listable: APIType {
    static var listKey: String { get }
}

/// A page of a list: `{"<things>":[…],"next_cursor":"…"|null}`; pass `next_cursor` back as
/// `cursor` for the next page. `next_cursor` is always present, `null` on the last page.
public struct ListPage<Item: Listable>: Codable, Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        items = try container.decode([Item].self, forKey: Key(Item.listKey))
        nextCursor = try container.decodeIfPresent(String.self, forKey: Key("next_cursor"))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(Item.listKey))
        try container.encode(nextCursor, forKey: Key("next_cursor"))
    }

    public static var schema: Schema {
        .object([.init(Item.listKey, .array(.ref(Item.self))), .init("next_cursor", .nullable(.string))])
    }
}

// MARK: - Organizations and projects

public struct Organization: Listable, Equatable {
    public static let listKey = "organizations"
    public var id: String
    public var slug: String
    public var name: String
    public var createdAt: String

    public init(id: String, slug: String, name: String, createdAt: String) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey { case id, slug, name, createdAt = "created_at" }

    public static let schema = Schema.object([.init("id", .string), .init("slug", .string), .init("name", .string), .init("created_at", .dateTime)])
}

public struct ProjectLanguage: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    public var status: String
    public var isSource: Bool

    public init(code: String, name: String, status: String, isSource: Bool) {
        self.code = code
        self.name = name
        self.status = status
        self.isSource = isSource
    }

    enum CodingKeys: String, CodingKey { case code, name, status, isSource = "is_source" }

    static let schema = Schema.object([.init("code", .string), .init("name", .string), .init("status", .string), .init("is_source", .boolean)])
}

public struct Project: Listable, Equatable {
    public static let listKey = "projects"

    public struct CDN: Codable, Sendable, Equatable {
        public var manifestURL: String
        public init(manifestURL: String) { self.manifestURL = manifestURL }
        enum CodingKeys: String, CodingKey { case manifestURL = "manifest_url" }
    }

    public var id: String
    public var slug: String
    public var name: String
    public var organizationID: String
    public var sourceLanguage: String
    public var languages: [ProjectLanguage]
    public var namespaces: [String]
    public var keyCount: Int
    public var cdn: CDN
    public var createdAt: String
    public var updatedAt: String

    public init(id: String, slug: String, name: String, organizationID: String, sourceLanguage: String, languages: [ProjectLanguage],
                namespaces: [String], keyCount: Int, cdn: CDN, createdAt: String, updatedAt: String) {
        self.id = id
        self.slug = slug
        self.name = name
        self.organizationID = organizationID
        self.sourceLanguage = sourceLanguage
        self.languages = languages
        self.namespaces = namespaces
        self.keyCount = keyCount
        self.cdn = cdn
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, name, organizationID = "organization_id", sourceLanguage = "source_language", languages, namespaces
        case keyCount = "key_count", cdn, createdAt = "created_at", updatedAt = "updated_at"
    }

    public static let schema = Schema.object([
        .init("id", .string), .init("slug", .string), .init("name", .string), .init("organization_id", .string),
        .init("source_language", .string), .init("languages", .array(ProjectLanguage.schema)), .init("namespaces", .array(.string)),
        .init("key_count", .integer), .init("cdn", .object([.init("manifest_url", .string)])),
        .init("created_at", .dateTime), .init("updated_at", .dateTime),
    ])
}

/// `POST /v1/projects`. (Its field is `sourceLanguage`, as Better i18n spells it.)
public struct CreateProjectRequest: APIType, Equatable {
    public var name: String
    public var slug: String
    public var sourceLanguage: String

    public init(name: String, slug: String, sourceLanguage: String) {
        self.name = name
        self.slug = slug
        self.sourceLanguage = sourceLanguage
    }

    public static let schema = Schema.object([.init("name", .string), .init("slug", .string), .init("sourceLanguage", .string)])
}

/// `POST /v1/projects/{projectId}/languages`.
public struct AddLanguageRequest: APIType, Equatable {
    public var code: String
    public init(code: String) { self.code = code }
    public static let schema = Schema.object([.init("code", .string)])
}

// MARK: - Keys

public struct Key: Listable, Equatable {
    public static let listKey = "keys"
    public var id: String
    public var name: String
    public var namespace: String
    /// Always present, `null` when the key has none.
    public var description: String?
    public var createdAt: String
    public var updatedAt: String

    public init(id: String, name: String, namespace: String, description: String?, createdAt: String, updatedAt: String) {
        self.id = id
        self.name = name
        self.namespace = namespace
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey { case id, name, namespace, description, createdAt = "created_at", updatedAt = "updated_at" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(namespace, forKey: .namespace)
        try container.encode(description, forKey: .description)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    public static let schema = Schema.object([
        .init("id", .string), .init("name", .string), .init("namespace", .string), .init("description", .nullable(.string)),
        .init("created_at", .dateTime), .init("updated_at", .dateTime),
    ])
}

/// What `POST …/keys` does with a key that exists.
public enum ConflictPolicy: String, Codable, Sendable, CaseIterable {
    case skip, update, fail
}

/// One key of `POST …/keys`, with optional first values by language.
public struct NewKey: APIType, Equatable {
    public var name: String
    public var namespace: String?
    public var description: String?
    public var translations: [String: String]?

    public init(name: String, namespace: String? = nil, description: String? = nil, translations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.description = description
        self.translations = translations
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, namespace, description, translations }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        translations = try container.decodeIfPresent([String: String].self, forKey: .translations)
    }

    public static let schema = Schema.object([
        .init("name", .string), .init("namespace", .string, required: false), .init("description", .string, required: false),
        .init("translations", .map(.string), required: false),
    ])
}

public struct CreateKeysRequest: APIType, Equatable {
    public var keys: [NewKey]
    public var onConflict: ConflictPolicy?

    public init(keys: [NewKey], onConflict: ConflictPolicy? = nil) {
        self.keys = keys
        self.onConflict = onConflict
    }

    enum CodingKeys: String, CodingKey { case keys, onConflict = "on_conflict" }

    public static let schema = Schema.object([
        .init("keys", .array(.ref(NewKey.self))),
        .init("on_conflict", .enumeration(ConflictPolicy.allCases.map(\.rawValue)), required: false),
    ])
}

public struct KeysResult: APIType, Equatable {
    public var created: [Key]
    public var updated: [Key]
    public var skipped: [Key]

    public init(created: [Key], updated: [Key], skipped: [Key]) {
        self.created = created
        self.updated = updated
        self.skipped = skipped
    }

    public static let schema = Schema.object([
        .init("created", .array(.ref(Key.self))), .init("updated", .array(.ref(Key.self))), .init("skipped", .array(.ref(Key.self))),
    ])
}

/// `PATCH …/keys/{keyId}`: only the fields given change.
public struct UpdateKeyRequest: APIType, Equatable {
    public var name: String?
    public var namespace: String?
    public var description: String?

    public init(name: String? = nil, namespace: String? = nil, description: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.description = description
    }

    public static let schema = Schema.object([
        .init("name", .string, required: false), .init("namespace", .string, required: false),
        .init("description", .string, required: false),
    ])
}

public struct DeleteKeysRequest: APIType, Equatable {
    public var keyIDs: [String]
    public init(keyIDs: [String]) { self.keyIDs = keyIDs }
    enum CodingKeys: String, CodingKey { case keyIDs = "key_ids" }
    public static let schema = Schema.object([.init("key_ids", .array(.string))])
}

public struct DeletedCount: APIType, Equatable {
    public var deleted: Int
    public init(deleted: Int) { self.deleted = deleted }
    public static let schema = Schema.object([.init("deleted", .integer)])
}

// MARK: - Translations

public struct Translation: Listable, Equatable {
    public static let listKey = "translations"
    public var keyID: String
    public var key: String
    public var namespace: String
    public var language: String
    public var value: String
    public var updatedAt: String

    public init(keyID: String, key: String, namespace: String, language: String, value: String, updatedAt: String) {
        self.keyID = keyID
        self.key = key
        self.namespace = namespace
        self.language = language
        self.value = value
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey { case keyID = "key_id", key, namespace, language, value, updatedAt = "updated_at" }

    public static let schema = Schema.object([
        .init("key_id", .string), .init("key", .string), .init("namespace", .string), .init("language", .string),
        .init("value", .string), .init("updated_at", .dateTime),
    ])
}

/// One value of `PUT …/translations`: a key by id, or by name and namespace.
public struct TranslationValue: APIType, Equatable {
    public var keyID: String?
    public var key: String?
    public var namespace: String?
    public var language: String
    public var value: String

    public init(keyID: String? = nil, key: String? = nil, namespace: String? = nil, language: String, value: String) {
        self.keyID = keyID
        self.key = key
        self.namespace = namespace
        self.language = language
        self.value = value
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case keyID = "key_id", key, namespace, language, value }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keyID = try container.decodeIfPresent(String.self, forKey: .keyID)
        key = try container.decodeIfPresent(String.self, forKey: .key)
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
        language = try container.decode(String.self, forKey: .language)
        value = try container.decode(String.self, forKey: .value)
    }

    public static let schema = Schema.object([
        .init("key_id", .string, required: false), .init("key", .string, required: false),
        .init("namespace", .string, required: false), .init("language", .string), .init("value", .string),
    ])
}

public struct SetTranslationsRequest: APIType, Equatable {
    public var translations: [TranslationValue]
    public init(translations: [TranslationValue]) { self.translations = translations }
    public static let schema = Schema.object([.init("translations", .array(.ref(TranslationValue.self)))])
}

public struct UpdatedCount: APIType, Equatable {
    public var updated: Int
    public init(updated: Int) { self.updated = updated }
    public static let schema = Schema.object([.init("updated", .integer)])
}

/// The answer of `POST …/import` (SPEC §12): keys created, existing keys updated and skipped,
/// `errors` (empty: a refused import answers `422` with them), and notes on what was read but
/// not kept (a fuzzy PO entry).
public struct ImportResult: APIType, Equatable {
    public var created: Int
    public var updated: Int
    public var skipped: Int
    public var errors: [ItemError]
    public var notes: [String]
    public var dryRun: Bool

    public init(created: Int, updated: Int, skipped: Int, errors: [ItemError] = [], notes: [String] = [], dryRun: Bool) {
        self.created = created
        self.updated = updated
        self.skipped = skipped
        self.errors = errors
        self.notes = notes
        self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey {
        case created, updated, skipped, errors, notes, dryRun = "dry_run"
    }

    public static let schema = Schema.object([
        .init("created", .integer), .init("updated", .integer), .init("skipped", .integer),
        .init("errors", .array(.object([
            .init("index", .integer), .init("error", .string), .init("message", .string), .init("offset", .integer, required: false),
            .init("line", .integer, required: false), .init("key", .string, required: false),
        ]))),
        .init("notes", .array(.string)), .init("dry_run", .boolean),
    ])
}

// MARK: - Publishing

/// What the next publish would change, per language: key names (`name` in the default
/// namespace, `namespace:name` elsewhere).
public struct PendingChanges: APIType, Equatable {
    public struct Changes: Codable, Sendable, Equatable {
        public var added: [String]
        public var changed: [String]
        public var deleted: [String]

        public init(added: [String], changed: [String], deleted: [String]) {
            self.added = added
            self.changed = changed
            self.deleted = deleted
        }
    }

    public var languages: [String: Changes]
    public init(languages: [String: Changes]) { self.languages = languages }

    public static let schema = Schema.object([
        .init("languages", .map(.object([
            .init("added", .array(.string)), .init("changed", .array(.string)), .init("deleted", .array(.string)),
        ]))),
    ])
}

/// `POST …/publish`: every language when `languages` is absent.
public struct PublishRequest: APIType, Equatable {
    public var languages: [String]?
    public init(languages: [String]? = nil) { self.languages = languages }

    enum CodingKeys: String, CodingKey, CaseIterable { case languages }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        languages = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([String].self, forKey: .languages)
    }

    public static let schema = Schema.object([.init("languages", .array(.string), required: false)])
}

/// A key a publish left out of the CDN files because another key nests below it.
public struct PublishWarning: Codable, Sendable, Equatable {
    public var code: String
    public var namespace: String
    public var key: String
    public var conflictsWith: String
    public var languages: [String]
    public var message: String

    public init(code: String = "key_conflict", namespace: String, key: String, conflictsWith: String, languages: [String], message: String) {
        self.code = code
        self.namespace = namespace
        self.key = key
        self.conflictsWith = conflictsWith
        self.languages = languages
        self.message = message
    }

    enum CodingKeys: String, CodingKey { case code, namespace, key, conflictsWith = "conflicts_with", languages, message }

    static let schema = Schema.object([
        .init("code", .string), .init("namespace", .string), .init("key", .string), .init("conflicts_with", .string),
        .init("languages", .array(.string)), .init("message", .string),
    ])
}

public struct Release: Listable, Equatable {
    public static let listKey = "releases"
    public var id: String
    public var version: Int
    public var publishedAt: String
    public var languages: [String]
    public var manifestURL: String
    /// Only in the answer to a publish.
    public var warnings: [PublishWarning]?

    public init(id: String, version: Int, publishedAt: String, languages: [String], manifestURL: String, warnings: [PublishWarning]? = nil) {
        self.id = id
        self.version = version
        self.publishedAt = publishedAt
        self.languages = languages
        self.manifestURL = manifestURL
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case id, version, publishedAt = "published_at", languages, manifestURL = "manifest_url", warnings
    }

    public static let schema = Schema.object([
        .init("id", .string), .init("version", .integer), .init("published_at", .dateTime), .init("languages", .array(.string)),
        .init("manifest_url", .string), .init("warnings", .array(PublishWarning.schema), required: false),
    ])
}

// MARK: - Glossary

public struct GlossaryTerm: Listable, Equatable {
    public static let listKey = "terms"
    public var term: String
    /// Always present, `null` when the term has none.
    public var description: String?
    public var translations: [String: String]
    public var updatedAt: String

    public init(term: String, description: String?, translations: [String: String], updatedAt: String) {
        self.term = term
        self.description = description
        self.translations = translations
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey { case term, description, translations, updatedAt = "updated_at" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(term, forKey: .term)
        try container.encode(description, forKey: .description)
        try container.encode(translations, forKey: .translations)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    public static let schema = Schema.object([
        .init("term", .string), .init("description", .nullable(.string)), .init("translations", .map(.string)),
        .init("updated_at", .dateTime),
    ])
}

/// One term of `PUT /v1/glossary/terms`, upserted by `term`.
public struct NewTerm: APIType, Equatable {
    public var term: String
    public var description: String?
    public var translations: [String: String]?

    public init(term: String, description: String? = nil, translations: [String: String]? = nil) {
        self.term = term
        self.description = description
        self.translations = translations
    }


    public static let schema = Schema.object([
        .init("term", .string), .init("description", .string, required: false), .init("translations", .map(.string), required: false),
    ])
}

public struct UpsertTermsRequest: APIType, Equatable {
    public var terms: [NewTerm]
    public init(terms: [NewTerm]) { self.terms = terms }
    public static let schema = Schema.object([.init("terms", .array(.ref(NewTerm.self)))])
}
