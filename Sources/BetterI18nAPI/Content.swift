import Foundation

// MARK: - Content CMS (SPEC §10): models, fields, entries

/// One choice of an `enum` field.
public struct EnumOption: Codable, Sendable, Hashable {
    public var label: String
    public var value: String
    public init(label: String, value: String) {
        self.label = label
        self.value = value
    }

    static let schema = Schema.object([.init("label", .string), .init("value", .string)])
}

/// A field of a content model. Optional members are always present, `null` when unset.
public struct ContentField: APIType, Equatable {
    public var name: String
    public var displayName: String
    public var type: String
    public var localized: Bool
    public var required: Bool
    public var helpText: String?
    public var enumValues: [EnumOption]?
    /// The target model's slug, for `relation` fields.
    public var targetModel: String?
    public var multiple: Bool

    public init(name: String, displayName: String, type: String, localized: Bool, required: Bool, helpText: String?,
                enumValues: [EnumOption]?, targetModel: String?, multiple: Bool) {
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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, displayName = "display_name", type, localized, required, helpText = "help_text", enumValues = "enum_values"
        case targetModel = "target_model", multiple
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(type, forKey: .type)
        try container.encode(localized, forKey: .localized)
        try container.encode(required, forKey: .required)
        try container.encode(helpText, forKey: .helpText)
        try container.encode(enumValues, forKey: .enumValues)
        try container.encode(targetModel, forKey: .targetModel)
        try container.encode(multiple, forKey: .multiple)
    }

    public static let fieldTypes = ["text", "textarea", "richtext", "number", "boolean", "date", "datetime", "enum", "media", "relation"]

    public static let schema = Schema.object([
        .init("name", .string), .init("display_name", .string), .init("type", .enumeration(fieldTypes)),
        .init("localized", .boolean), .init("required", .boolean), .init("help_text", .nullable(.string)),
        .init("enum_values", .nullable(.array(EnumOption.schema))), .init("target_model", .nullable(.string)),
        .init("multiple", .boolean),
    ])
}

/// A new field: `POST …/models/{model}/fields`, and each of `fields` of a new model.
public struct NewContentField: APIType, Equatable {
    public var name: String
    public var displayName: String?
    public var type: String
    public var localized: Bool?
    public var required: Bool?
    public var helpText: String?
    public var enumValues: [EnumOption]?
    /// A model's slug or `cmd_` id.
    public var targetModel: String?
    public var multiple: Bool?

    public init(name: String, displayName: String? = nil, type: String, localized: Bool? = nil, required: Bool? = nil,
                helpText: String? = nil, enumValues: [EnumOption]? = nil, targetModel: String? = nil, multiple: Bool? = nil) {
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

    typealias CodingKeys = ContentField.CodingKeys

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        type = try container.decode(String.self, forKey: .type)
        localized = try container.decodeIfPresent(Bool.self, forKey: .localized)
        required = try container.decodeIfPresent(Bool.self, forKey: .required)
        helpText = try container.decodeIfPresent(String.self, forKey: .helpText)
        enumValues = try container.decodeIfPresent([EnumOption].self, forKey: .enumValues)
        targetModel = try container.decodeIfPresent(String.self, forKey: .targetModel)
        multiple = try container.decodeIfPresent(Bool.self, forKey: .multiple)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(displayName, forKey: .displayName)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(localized, forKey: .localized)
        try container.encodeIfPresent(required, forKey: .required)
        try container.encodeIfPresent(helpText, forKey: .helpText)
        try container.encodeIfPresent(enumValues, forKey: .enumValues)
        try container.encodeIfPresent(targetModel, forKey: .targetModel)
        try container.encodeIfPresent(multiple, forKey: .multiple)
    }

    public static let schema = Schema.object([
        .init("name", .string), .init("display_name", .string, required: false), .init("type", .enumeration(ContentField.fieldTypes)),
        .init("localized", .boolean, required: false), .init("required", .boolean, required: false),
        .init("help_text", .string, required: false), .init("enum_values", .array(EnumOption.schema), required: false),
        .init("target_model", .string, required: false), .init("multiple", .boolean, required: false),
    ])
}

/// `PATCH …/models/{model}/fields/{name}`: what may change of a field (not its name or type).
public struct ContentFieldUpdate: APIType, Equatable {
    public var displayName: String?
    public var required: Bool?
    public var helpText: String?
    public var enumValues: [EnumOption]?

    public init(displayName: String? = nil, required: Bool? = nil, helpText: String? = nil, enumValues: [EnumOption]? = nil) {
        self.displayName = displayName
        self.required = required
        self.helpText = helpText
        self.enumValues = enumValues
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case displayName = "display_name", required, helpText = "help_text", enumValues = "enum_values"
    }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        required = try container.decodeIfPresent(Bool.self, forKey: .required)
        helpText = try container.decodeIfPresent(String.self, forKey: .helpText)
        enumValues = try container.decodeIfPresent([EnumOption].self, forKey: .enumValues)
    }

    public static let schema = Schema.object([
        .init("display_name", .string, required: false), .init("required", .boolean, required: false),
        .init("help_text", .string, required: false), .init("enum_values", .array(EnumOption.schema), required: false),
    ])
}

/// A content model: a shape of entries (blog post, changelog entry, pricing page).
public struct ContentModel: Listable, Equatable {
    public static let listKey = "models"
    public var id: String
    public var slug: String
    public var displayName: String
    public var description: String?
    public var kind: String
    public var includeBody: Bool
    public var fields: [ContentField]
    public var entryCount: Int
    public var createdAt: String
    public var updatedAt: String

    public init(id: String, slug: String, displayName: String, description: String?, kind: String, includeBody: Bool,
                fields: [ContentField], entryCount: Int, createdAt: String, updatedAt: String) {
        self.id = id
        self.slug = slug
        self.displayName = displayName
        self.description = description
        self.kind = kind
        self.includeBody = includeBody
        self.fields = fields
        self.entryCount = entryCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, displayName = "display_name", description, kind, includeBody = "include_body", fields
        case entryCount = "entry_count", createdAt = "created_at", updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(slug, forKey: .slug)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(description, forKey: .description)
        try container.encode(kind, forKey: .kind)
        try container.encode(includeBody, forKey: .includeBody)
        try container.encode(fields, forKey: .fields)
        try container.encode(entryCount, forKey: .entryCount)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    public static let schema = Schema.object([
        .init("id", .string), .init("slug", .string), .init("display_name", .string), .init("description", .nullable(.string)),
        .init("kind", .enumeration(["collection", "single"])), .init("include_body", .boolean),
        .init("fields", .array(.ref(ContentField.self))), .init("entry_count", .integer),
        .init("created_at", .dateTime), .init("updated_at", .dateTime),
    ])
}

/// `POST …/content/models`: a model with its fields.
public struct NewContentModel: APIType, Equatable {
    public var slug: String
    public var displayName: String?
    public var description: String?
    public var kind: String?
    public var includeBody: Bool?
    public var fields: [NewContentField]?

    public init(slug: String, displayName: String? = nil, description: String? = nil, kind: String? = nil,
                includeBody: Bool? = nil, fields: [NewContentField]? = nil) {
        self.slug = slug
        self.displayName = displayName
        self.description = description
        self.kind = kind
        self.includeBody = includeBody
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case slug, displayName = "display_name", description, kind, includeBody = "include_body", fields
    }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        slug = try container.decode(String.self, forKey: .slug)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        includeBody = try container.decodeIfPresent(Bool.self, forKey: .includeBody)
        fields = try container.decodeIfPresent([NewContentField].self, forKey: .fields)
    }

    public static let schema = Schema.object([
        .init("slug", .string), .init("display_name", .string, required: false), .init("description", .string, required: false),
        .init("kind", .enumeration(["collection", "single"]), required: false), .init("include_body", .boolean, required: false),
        .init("fields", .array(.ref(NewContentField.self)), required: false),
    ])
}

/// `PATCH …/content/models/{model}`.
public struct ContentModelUpdate: APIType, Equatable {
    public var displayName: String?
    public var description: String?
    public var includeBody: Bool?

    public init(displayName: String? = nil, description: String? = nil, includeBody: Bool? = nil) {
        self.displayName = displayName
        self.description = description
        self.includeBody = includeBody
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case displayName = "display_name", description, includeBody = "include_body" }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        includeBody = try container.decodeIfPresent(Bool.self, forKey: .includeBody)
    }

    public static let schema = Schema.object([
        .init("display_name", .string, required: false), .init("description", .string, required: false),
        .init("include_body", .boolean, required: false),
    ])
}

/// One language of an entry: its working copy, and whether a published snapshot exists.
public struct ContentEntryTranslation: Codable, Sendable, Equatable {
    public var title: String
    public var body: String?
    public var fields: [String: JSONValue]
    public var status: String
    public var publishedAt: String?
    public var updatedAt: String

    public init(title: String, body: String?, fields: [String: JSONValue], status: String, publishedAt: String?, updatedAt: String) {
        self.title = title
        self.body = body
        self.fields = fields
        self.status = status
        self.publishedAt = publishedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey { case title, body, fields, status, publishedAt = "published_at", updatedAt = "updated_at" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(title, forKey: .title)
        try container.encode(body, forKey: .body)
        try container.encode(fields, forKey: .fields)
        try container.encode(status, forKey: .status)
        try container.encode(publishedAt, forKey: .publishedAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    static let schema = Schema.object([
        .init("title", .string), .init("body", .nullable(.string)), .init("fields", .map(.any)),
        .init("status", .enumeration(["draft", "published"])), .init("published_at", .nullable(.dateTime)),
        .init("updated_at", .dateTime),
    ])
}

/// A content entry with its shared values and every language's working copy.
public struct ContentEntry: Listable, Equatable {
    public static let listKey = "entries"
    public var id: String
    /// The model's slug.
    public var model: String
    public var slug: String
    public var status: String
    public var sourceLanguage: String
    public var publishedAt: String?
    public var createdAt: String
    public var updatedAt: String
    public var fields: [String: JSONValue]
    public var translations: [String: ContentEntryTranslation]

    public init(id: String, model: String, slug: String, status: String, sourceLanguage: String, publishedAt: String?,
                createdAt: String, updatedAt: String, fields: [String: JSONValue], translations: [String: ContentEntryTranslation]) {
        self.id = id
        self.model = model
        self.slug = slug
        self.status = status
        self.sourceLanguage = sourceLanguage
        self.publishedAt = publishedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.fields = fields
        self.translations = translations
    }

    enum CodingKeys: String, CodingKey {
        case id, model, slug, status, sourceLanguage = "source_language", publishedAt = "published_at"
        case createdAt = "created_at", updatedAt = "updated_at", fields, translations
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(model, forKey: .model)
        try container.encode(slug, forKey: .slug)
        try container.encode(status, forKey: .status)
        try container.encode(sourceLanguage, forKey: .sourceLanguage)
        try container.encode(publishedAt, forKey: .publishedAt)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(fields, forKey: .fields)
        try container.encode(translations, forKey: .translations)
    }

    public static let schema = Schema.object([
        .init("id", .string), .init("model", .string), .init("slug", .string),
        .init("status", .enumeration(["draft", "published", "archived"])), .init("source_language", .string),
        .init("published_at", .nullable(.dateTime)), .init("created_at", .dateTime), .init("updated_at", .dateTime),
        .init("fields", .map(.any)), .init("translations", .map(ContentEntryTranslation.schema)),
    ])
}

/// One language of a written entry: title, body and localized field values.
public struct NewEntryTranslation: Codable, Sendable, Equatable {
    public var title: String?
    public var body: String?
    public var fields: [String: JSONValue]?

    public init(title: String? = nil, body: String? = nil, fields: [String: JSONValue]? = nil) {
        self.title = title
        self.body = body
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case title, body, fields }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        fields = try container.decodeIfPresent([String: JSONValue].self, forKey: .fields)
    }

    static let schema = Schema.object([
        .init("title", .string, required: false), .init("body", .string, required: false), .init("fields", .map(.any), required: false),
    ])
}

/// `POST …/models/{model}/entries` and `PATCH …/entries/{entryId}`: what to write. On update,
/// only what is given changes (a field set to `null` is cleared); `status: "published"`
/// publishes every language the entry has, `"archived"` hides it, `"draft"` unpublishes it.
public struct ContentEntryWrite: APIType, Equatable {
    public var slug: String?
    public var status: String?
    public var sourceLanguage: String?
    public var fields: [String: JSONValue]?
    public var translations: [String: NewEntryTranslation]?

    public init(slug: String? = nil, status: String? = nil, sourceLanguage: String? = nil, fields: [String: JSONValue]? = nil,
                translations: [String: NewEntryTranslation]? = nil) {
        self.slug = slug
        self.status = status
        self.sourceLanguage = sourceLanguage
        self.fields = fields
        self.translations = translations
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case slug, status, sourceLanguage = "source_language", fields, translations
    }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        slug = try container.decodeIfPresent(String.self, forKey: .slug)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        sourceLanguage = try container.decodeIfPresent(String.self, forKey: .sourceLanguage)
        fields = try container.decodeIfPresent([String: JSONValue].self, forKey: .fields)
        translations = try container.decodeIfPresent([String: NewEntryTranslation].self, forKey: .translations)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(slug, forKey: .slug)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encodeIfPresent(sourceLanguage, forKey: .sourceLanguage)
        try container.encodeIfPresent(fields, forKey: .fields)
        try container.encodeIfPresent(translations, forKey: .translations)
    }

    public static let schema = Schema.object([
        .init("slug", .string, required: false), .init("status", .enumeration(["draft", "published", "archived"]), required: false),
        .init("source_language", .string, required: false), .init("fields", .map(.any), required: false),
        .init("translations", .map(NewEntryTranslation.schema), required: false),
    ])
}

/// `POST …/entries/{entryId}/publish|unpublish`: the languages, or every language when absent.
public struct ContentLanguagesRequest: APIType, Equatable {
    public var languages: [String]?
    public init(languages: [String]? = nil) { self.languages = languages }

    enum CodingKeys: String, CodingKey, CaseIterable { case languages }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.check(decoder, CodingKeys.self)
        languages = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([String].self, forKey: .languages)
    }

    public static let schema = Schema.object([.init("languages", .array(.string), required: false)])
}
