/// How keys and values are listed a page at a time (SPEC §6.2): filters and a keyset position,
/// so a page costs the page, not the project.

/// Where a page of keys starts: after this key, in (namespace, name) order.
public struct KeyPosition: Sendable, Equatable, Codable {
    public let namespace: String
    public let name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }
}

public struct KeyPageQuery: Sendable {
    public var namespace: String?
    /// A case-insensitive substring of the name.
    public var search: String?
    /// Only keys without a value in this language.
    public var missingLanguage: LanguageCode?
    public var after: KeyPosition?
    public var limit: Int

    public init(namespace: String? = nil, search: String? = nil, missingLanguage: LanguageCode? = nil, after: KeyPosition? = nil, limit: Int) {
        self.namespace = namespace
        self.search = search
        self.missingLanguage = missingLanguage
        self.after = after
        self.limit = limit
    }
}

/// Whether a value is what the latest release of its language carries.
public enum ValueStatus: String, Sendable {
    /// Written since its language was last published (or never published).
    case draft
    case published
}

/// Where a page of values starts: after this value, in (namespace, name, language) order.
public struct TranslationPosition: Sendable, Equatable, Codable {
    public let namespace: String
    public let name: String
    public let language: String

    public init(namespace: String, name: String, language: String) {
        self.namespace = namespace
        self.name = name
        self.language = language
    }
}

public struct TranslationPageQuery: Sendable {
    public var languages: [LanguageCode]?
    public var namespace: String?
    /// Key names or ids.
    public var keys: [String]?
    public var status: ValueStatus?
    public var after: TranslationPosition?
    public var limit: Int

    public init(languages: [LanguageCode]? = nil, namespace: String? = nil, keys: [String]? = nil, status: ValueStatus? = nil,
                after: TranslationPosition? = nil, limit: Int) {
        self.languages = languages
        self.namespace = namespace
        self.keys = keys
        self.status = status
        self.after = after
        self.limit = limit
    }
}

/// One value the next publish of its language would change.
public struct PendingValue: Sendable, Equatable {
    public enum Change: Sendable { case added, changed, deleted }
    public let namespace: String
    public let name: String
    public let language: LanguageCode
    public let change: Change

    public init(namespace: String, name: String, language: LanguageCode, change: Change) {
        self.namespace = namespace
        self.name = name
        self.language = language
        self.change = change
    }
}
