import Foundation

/// An immutable, numbered snapshot of a project's translations (SPEC §6.2, §8): what the CDN
/// serves. Versions count up from 1 per project; a release is never changed after it is stored.
public struct Release: Sendable, Equatable {
    public var id: ReleaseID
    public var projectID: ProjectID
    public var version: Int
    /// Milliseconds matter: each release's time is strictly later than the previous one's, so
    /// the manifest's `updatedAt` and `lastModified` move even for two publishes in one second.
    public var publishedAt: Date
    /// Every language the release carries: the ones published now and, for a publish of some
    /// languages, the others as they were in the previous release.
    public var languages: [LanguageCode]
    /// The languages this publish rendered anew.
    public var publishedLanguages: [LanguageCode]
    /// `grt_…` for a partner, `usr_…` for a person, `operator` for the CLI.
    public var publishedBy: String
    /// Every language of the project when it was published (the manifest lists them all, with
    /// no files for those without a published value); `languages` for releases made before
    /// this was kept.
    public var projectLanguages: [LanguageCode]
    /// Every namespace with a live key when it was published, in byte order; nil for releases
    /// made before this was kept (their bodies' namespaces are used).
    public var namespaces: [String]?
    /// What the publish had to leave out (only on the value a publish returns; not stored).
    public var warnings: [PublishWarning] = []

    public init(
        id: ReleaseID, projectID: ProjectID, version: Int, publishedAt: Date, languages: [LanguageCode],
        publishedLanguages: [LanguageCode], publishedBy: String, projectLanguages: [LanguageCode]? = nil,
        namespaces: [String]? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.version = version
        self.publishedAt = publishedAt
        self.languages = languages
        self.publishedLanguages = publishedLanguages
        self.publishedBy = publishedBy
        self.projectLanguages = projectLanguages ?? languages
        self.namespaces = namespaces
    }
}

/// A key a publish left out of a language's files because another key nests below it
/// (`login` beside `login.title`, SPEC §8): the longer key wins.
public struct PublishWarning: Sendable, Equatable {
    public var namespace: String
    public var key: String
    public var conflictsWith: String
    public var languages: [LanguageCode]

    public init(namespace: String, key: String, conflictsWith: String, languages: [LanguageCode]) {
        self.namespace = namespace
        self.key = key
        self.conflictsWith = conflictsWith
        self.languages = languages
    }
}

/// One language of a release: the canonical `{locale}.json` body, stored as it is served so a
/// versioned file never changes, whatever later code does.
public struct ReleaseLanguage: Sendable, Equatable {
    /// How ``content`` is laid out: keys nested by `.` (SPEC §8), or, in releases made before
    /// nesting, flat (`{"ns":{"login.title":…}}`), which the CDN re-nests when it loads them.
    public enum Format: Int, Sendable {
        case flat = 1
        case nested = 2
    }

    public var language: LanguageCode
    /// `{"namespace":{…keys…}}`, namespaces and keys in byte order, no whitespace.
    public var content: String
    public var format: Format
    /// Keys with a value in this language.
    public var keyCount: Int
    /// The time of the release in which this body's bytes last changed: the manifest's
    /// `lastModified` of the locale file, and the language's `lastUpdated`.
    public var lastModified: Date
    /// The same for each namespace file; a namespace missing here was last changed with the
    /// body (releases made before this was kept).
    public var namespaceModified: [String: Date]
    /// A digest of the stored values this body was rendered from (counts and times of keys and
    /// values), so the next publish can tell, without reading them, that nothing changed.
    public var sourceDigest: String?

    public init(
        language: LanguageCode, content: String, format: Format = .nested, keyCount: Int, lastModified: Date,
        namespaceModified: [String: Date] = [:], sourceDigest: String? = nil
    ) {
        self.language = language
        self.content = content
        self.format = format
        self.keyCount = keyCount
        self.lastModified = lastModified
        self.namespaceModified = namespaceModified
        self.sourceDigest = sourceDigest
    }
}

/// What a publish reads, inside the transaction that numbers the release.
public struct PublishInput: Sendable {
    public let keys: [TranslationKey]
    /// The live values of ``toRender`` only: languages asked for whose values changed.
    public let translations: [Translation]
    /// The previous release's languages, empty for the first publish.
    public let previous: [ReleaseLanguage]
    /// The time of this release, strictly after the previous one's.
    public let publishedAt: Date
    /// The languages asked for.
    public let requested: [LanguageCode]
    /// Those of ``requested`` whose values differ from what the previous release was made of.
    public let toRender: Set<LanguageCode>
    /// The current ``ReleaseLanguage/sourceDigest`` of every project language.
    public let digests: [LanguageCode: String]

    public init(
        keys: [TranslationKey], translations: [Translation], previous: [ReleaseLanguage], publishedAt: Date,
        requested: [LanguageCode], toRender: Set<LanguageCode>, digests: [LanguageCode: String]
    ) {
        self.keys = keys
        self.translations = translations
        self.previous = previous
        self.publishedAt = publishedAt
        self.requested = requested
        self.toRender = toRender
        self.digests = digests
    }
}

/// What a publish stores: every language of the release and the namespaces it lists.
public struct RenderedRelease: Sendable {
    public var languages: [ReleaseLanguage]
    public var namespaces: [String]
    public var warnings: [PublishWarning]

    public init(languages: [ReleaseLanguage], namespaces: [String], warnings: [PublishWarning]) {
        self.languages = languages
        self.namespaces = namespaces
        self.warnings = warnings
    }
}
