import BetterI18nCDN
import BetterI18nCore
import BetterI18nProjects
import Foundation

/// What the project page template reads. Mustache reads stored properties only (through
/// `Mirror`), so everything derived is computed here, once.
struct ProjectPageView {
    struct Language {
        let code: String
        let name: String
        let isSource: Bool
        let count: Int
        let total: Int
        let percent: Int
        let selected: Bool
    }

    struct Namespace {
        let name: String
        let selected: Bool
    }

    struct Value {
        let keyID: String
        let code: String
        let name: String
        let value: String
        let missing: Bool
        let error: ProjectPageRoutes.ValueError?
    }

    struct Key {
        let id: String
        let name: String
        let namespace: String
        let displayName: String
        let description: String?
        let values: [Value]
        let saved: String?
        let renameName: String
        let renameNamespace: String
        let renameNameError: String?
        let renameNamespaceError: String?
        let open: Bool
    }

    struct PendingLanguage {
        let code: String
        let summary: String
        let names: [String]
        let more: Int
        let hasMore: Bool
    }

    struct ReleaseRow {
        let version: Int
        let publishedAt: String
        let manifestURL: String
        let files: [File]
    }

    struct File {
        let code: String
        let url: String
    }

    struct Hidden {
        let search: String
        let namespace: String
        let missing: String
        let cursor: String
    }

    let organizationName: String
    let organizationSlug: String
    let name: String
    let slug: String
    let path: String
    let sourceLanguage: String
    let keyCount: Int
    let canAdminister: Bool
    let csrf: String
    let hidden: Hidden
    let search: String
    let languages: [Language]
    let missingLanguages: [Language]
    let namespaces: [Namespace]
    let allNamespaces: Bool
    let anyLanguage: Bool
    let keys: [Key]
    let hasKeys: Bool
    let pastEnd: Bool
    let filtered: Bool
    let firstURL: String?
    let nextURL: String?
    let pending: [PendingLanguage]
    let hasPending: Bool
    let pendingTotal: Int
    let publishLabel: String
    let publishError: String?
    let releases: [ReleaseRow]
    let hasReleases: Bool
    let latestManifest: String
    let notice: String?
    let flash: String?
    let addKey: ProjectPageRoutes.AddKeyForm
    let addKeyNameError: String?
    let addKeyNamespaceError: String?
    let addKeyValueError: String?
    let language: String
    let languageError: String?

    init(
        place: ProjectPageRoutes.Place, languages: [ProjectLanguage], filters: ProjectPageRoutes.Filters, feedback: ProjectPageRoutes.Feedback,
        keys: [TranslationKey], values: [KeyID: [LanguageCode: String]], next: KeyPosition?, pastEnd: Bool,
        counts: [LanguageCode: Int], pending: [LanguageCode: ReleaseService.PendingChanges], releases: [Release], csrf: String,
        cdnURL: String, notice: String?
    ) {
        let project = place.project
        organizationName = place.organization.name
        organizationSlug = place.organization.slug.value
        name = project.name
        slug = project.slug.value
        path = place.path
        sourceLanguage = project.sourceLanguage.value
        keyCount = place.view.keyCount
        canAdminister = place.role.canAdminister
        self.csrf = csrf
        hidden = Hidden(search: filters.search, namespace: filters.namespace, missing: filters.missing, cursor: filters.cursor)
        search = filters.search
        let total = place.view.keyCount
        let missingCode = filters.missing.lowercased()
        self.languages = languages.map { language in
            let count = counts[language.code] ?? 0
            return Language(
                code: language.code.value, name: language.name, isSource: language.isSource, count: count, total: total,
                percent: total == 0 ? 0 : Int((Double(count) * 100 / Double(total)).rounded(.down)), selected: language.code.value == missingCode
            )
        }
        missingLanguages = self.languages
        namespaces = place.view.namespaces.map { Namespace(name: $0.value, selected: $0.value == filters.namespace) }
        allNamespaces = filters.namespace.isEmpty
        anyLanguage = filters.missing.isEmpty
        self.keys = keys.map { key in
            let isTarget = feedback.keyID == key.id.rawValue
            let stored = values[key.id] ?? [:]
            return Key(
                id: key.id.rawValue, name: key.name.value, namespace: key.namespace.value,
                displayName: key.namespace == .default ? key.name.value : "\(key.namespace.value):\(key.name.value)",
                description: key.description,
                values: languages.map { language in
                    let code = language.code.value
                    let shown = isTarget ? (feedback.submitted[code] ?? stored[language.code] ?? "") : (stored[language.code] ?? "")
                    return Value(
                        keyID: key.id.rawValue, code: code, name: language.name, value: shown, missing: stored[language.code] == nil,
                        error: isTarget ? feedback.valueErrors[code] : nil
                    )
                },
                saved: feedback.savedKeyID == key.id.rawValue ? feedback.flash : nil,
                renameName: isTarget ? (feedback.rename?.name ?? key.name.value) : key.name.value,
                renameNamespace: isTarget ? (feedback.rename?.namespace ?? key.namespace.value) : key.namespace.value,
                renameNameError: isTarget ? feedback.renameErrors["name"] : nil,
                renameNamespaceError: isTarget ? feedback.renameErrors["namespace"] : nil,
                open: isTarget && !feedback.renameErrors.isEmpty
            )
        }
        hasKeys = !keys.isEmpty
        self.pastEnd = pastEnd
        filtered = !filters.search.isEmpty || !filters.namespace.isEmpty || !filters.missing.isEmpty
        firstURL = filters.cursor.isEmpty ? nil : place.path + filters.query(cursor: nil) + "#keys"
        nextURL = next.map { place.path + filters.query(cursor: Self.cursor($0)) + "#keys" }
        let pendingRows = languages.compactMap { language -> PendingLanguage? in
            guard let changes = pending[language.code] else { return nil }
            let names = changes.added.map { "+ \($0)" } + changes.changed.map { "~ \($0)" } + changes.deleted.map { "− \($0)" }
            guard !names.isEmpty else { return nil }
            var parts: [String] = []
            if !changes.added.isEmpty { parts.append("\(changes.added.count) added") }
            if !changes.changed.isEmpty { parts.append("\(changes.changed.count) changed") }
            if !changes.deleted.isEmpty { parts.append("\(changes.deleted.count) removed") }
            return PendingLanguage(
                code: language.code.value, summary: parts.joined(separator: ", "), names: Array(names.prefix(20)),
                more: max(0, names.count - 20), hasMore: names.count > 20
            )
        }
        self.pending = pendingRows
        hasPending = !pendingRows.isEmpty
        pendingTotal = pendingRows.reduce(0) { $0 + $1.names.count + $1.more }
        publishLabel = pendingRows.isEmpty ? "Publish again" :
            "Publish \(pendingTotal) change\(pendingTotal == 1 ? "" : "s") in \(pendingRows.map(\.code).joined(separator: ", "))"
        publishError = feedback.publishError
        let base = CDNBundle.baseURL(cdnURL: cdnURL, organization: place.organization.slug.value, project: project.slug.value)
        latestManifest = base + "/manifest.json"
        self.releases = releases.prefix(10).map { release in
            let versioned = CDNBundle.baseURL(
                cdnURL: cdnURL, organization: place.organization.slug.value, project: project.slug.value, version: release.version
            )
            return ReleaseRow(
                version: release.version, publishedAt: SettingsRoutes.display(release.publishedAt), manifestURL: versioned + "/manifest.json",
                files: release.languages.map { File(code: $0.value, url: "\(versioned)/\($0.value)/translations.json") }
            )
        }
        hasReleases = !releases.isEmpty
        self.notice = notice
        // A saved key shows its confirmation beside its Save button; one that left the
        // filtered list (no longer missing) shows it at the top.
        flash = keys.contains { $0.id.rawValue == feedback.savedKeyID } ? nil : feedback.flash
        addKey = feedback.addKey
        addKeyNameError = feedback.addKeyErrors["name"]
        addKeyNamespaceError = feedback.addKeyErrors["namespace"]
        addKeyValueError = feedback.addKeyErrors["value"]
        language = feedback.language
        languageError = feedback.languageError
    }

    static func cursor(_ position: KeyPosition) -> String {
        Page.cursor(position)
    }
}
