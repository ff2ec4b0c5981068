import Foundation

/// An immutable, numbered snapshot of a project's translations (SPEC §6.2, §8): what the CDN
/// serves. Versions count up from 1 per project; a release is never changed after it is stored.
public struct Release: Sendable, Equatable {
    public var id: ReleaseID
    public var projectID: ProjectID
    public var version: Int
    public var publishedAt: Date
    /// Every language the release carries: the ones published now and, for a publish of some
    /// languages, the others as they were in the previous release.
    public var languages: [LanguageCode]
    /// The languages this publish rendered anew.
    public var publishedLanguages: [LanguageCode]
    /// `grt_…` for a partner, `usr_…` for a person, `operator` for the CLI.
    public var publishedBy: String

    public init(
        id: ReleaseID, projectID: ProjectID, version: Int, publishedAt: Date, languages: [LanguageCode],
        publishedLanguages: [LanguageCode], publishedBy: String
    ) {
        self.id = id
        self.projectID = projectID
        self.version = version
        self.publishedAt = publishedAt
        self.languages = languages
        self.publishedLanguages = publishedLanguages
        self.publishedBy = publishedBy
    }
}

/// One language of a release: the canonical `{locale}.json` body, stored as it is served so a
/// versioned file never changes, whatever later code does.
public struct ReleaseLanguage: Sendable, Equatable {
    public var language: LanguageCode
    /// `{"namespace":{"key":"value"}}`, namespaces and keys in byte order, no whitespace.
    public var content: String
    /// Keys with a value in this language.
    public var keyCount: Int
    /// The newest `updated_at` among the published values (the publish time when there are none).
    public var lastUpdated: Date

    public init(language: LanguageCode, content: String, keyCount: Int, lastUpdated: Date) {
        self.language = language
        self.content = content
        self.keyCount = keyCount
        self.lastUpdated = lastUpdated
    }
}

/// What a publish reads, inside the transaction that numbers the release.
public struct PublishInput: Sendable {
    public let keys: [TranslationKey]
    public let translations: [Translation]
    /// The previous release's languages, empty for the first publish.
    public let previous: [ReleaseLanguage]

    public init(keys: [TranslationKey], translations: [Translation], previous: [ReleaseLanguage]) {
        self.keys = keys
        self.translations = translations
        self.previous = previous
    }
}
