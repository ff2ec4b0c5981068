import BetterI18nCore
import BetterI18nStorage
import Foundation

/// Why a publish was refused.
public enum PublishFailure: Error, Equatable, Sendable {
    /// Some requested languages are not languages of the project (`422 validation_failed`).
    case invalidLanguages([ItemProblem])
    case notFound
}

/// Publishing (SPEC §6.2, §8): numbered immutable releases, what the next publish would change,
/// and the list of releases. Knows nothing of HTTP or of how the CDN serves files.
public struct ReleaseService: Sendable {
    let storage: any Storage
    let clock: any WallClock
    let random: any RandomSource

    public init(storage: any Storage, clock: any WallClock, random: any RandomSource) {
        self.storage = storage
        self.clock = clock
        self.random = random
    }

    /// Snapshots the current values of `languages` (every project language when nil) into the
    /// next release; the project's other languages stay as the previous release had them.
    /// Deleted keys are simply absent from the snapshot, so they leave the CDN now.
    public func publish(_ project: Project, languages requested: [String]?, publishedBy actor: String) async throws -> Release {
        let projectLanguages = try await storage.languages(of: project.id).map(\.code)
        let chosen = try Self.resolve(requested, among: projectLanguages)
        let now = clock.now()
        do {
            return try await storage.publishRelease(
                id: .generate(using: random), project: project.id, at: now, publishedBy: actor
            ) { input in
                Self.render(input, languages: chosen, at: now)
            }
        } catch let error as StorageError where error.isNotFound {
            throw PublishFailure.notFound
        }
    }

    /// The languages to publish, in the project's terms; unknown or repeated codes are refused
    /// item by item, nothing is published.
    static func resolve(_ requested: [String]?, among projectLanguages: [LanguageCode]) throws -> [LanguageCode] {
        guard let requested else { return projectLanguages }
        var problems: [ItemProblem] = []
        var chosen: [LanguageCode] = []
        if requested.isEmpty {
            problems.append(ItemProblem(index: 0, code: "invalid_languages", message: "languages, when given, must name at least one language."))
        }
        for (index, raw) in requested.enumerated() {
            guard let code = try? LanguageCode(raw) else {
                problems.append(ItemProblem(index: index, code: "invalid_language", message: "'\(raw.prefix(40))' is not a BCP 47 language code."))
                continue
            }
            guard projectLanguages.contains(code) else {
                problems.append(ItemProblem(index: index, code: "unknown_language", message: "The project has no language \(code)."))
                continue
            }
            if !chosen.contains(code) { chosen.append(code) }
        }
        guard problems.isEmpty else { throw PublishFailure.invalidLanguages(problems) }
        return chosen
    }

    /// Renders `languages` from the current values and carries every other language of the
    /// previous release over unchanged.
    static func render(_ input: PublishInput, languages: [LanguageCode], at time: Date) -> (languages: [ReleaseLanguage], published: [LanguageCode]) {
        let current = CurrentValues(input)
        var result: [LanguageCode: ReleaseLanguage] = [:]
        for previous in input.previous { result[previous.language] = previous }
        for language in languages {
            let (tree, count, lastUpdated) = current.tree(for: language)
            result[language] = ReleaseLanguage(
                language: language, content: ReleaseContent.render(tree), keyCount: count, lastUpdated: lastUpdated ?? time
            )
        }
        return (result.values.sorted { $0.language < $1.language }, languages)
    }

    // MARK: Pending changes

    /// What the next publish of every language would change against the last release: key
    /// names (`name` in the default namespace, `namespace:name` elsewhere) added, changed and
    /// deleted, each sorted.
    public struct PendingChanges: Sendable, Equatable {
        public var added: [String] = []
        public var changed: [String] = []
        public var deleted: [String] = []
    }

    public func pendingChanges(_ project: Project) async throws -> [LanguageCode: PendingChanges] {
        let languages = try await storage.languages(of: project.id).map(\.code)
        let released = try await publishedValues(project)
        let current = CurrentValues(PublishInput(
            keys: try await storage.keys(in: project.id, includingDeleted: false),
            translations: try await storage.translations(in: project.id), previous: []
        ))
        var result: [LanguageCode: PendingChanges] = [:]
        for language in languages {
            let now = current.tree(for: language).tree
            let before = released[language] ?? [:]
            var changes = PendingChanges()
            for (namespace, values) in now {
                for (key, value) in values {
                    switch before[namespace]?[key] {
                    case nil: changes.added.append(Self.displayName(namespace, key))
                    case let old? where old != value: changes.changed.append(Self.displayName(namespace, key))
                    default: break
                    }
                }
            }
            for (namespace, values) in before {
                for key in values.keys where now[namespace]?[key] == nil {
                    changes.deleted.append(Self.displayName(namespace, key))
                }
            }
            changes.added.sort(by: ReleaseContent.byteOrder)
            changes.changed.sort(by: ReleaseContent.byteOrder)
            changes.deleted.sort(by: ReleaseContent.byteOrder)
            result[language] = changes
        }
        return result
    }

    /// The values of the latest release by language, namespace and key; empty before the first.
    public func publishedValues(_ project: Project) async throws -> [LanguageCode: ReleaseContent.Tree] {
        let latest = try await storage.latestReleaseVersion(of: project.id)
        guard latest > 0, let release = try await storage.release(of: project.id, version: latest) else { return [:] }
        var released: [LanguageCode: ReleaseContent.Tree] = [:]
        for language in try await storage.releaseLanguages(release.id) {
            released[language.language] = try ReleaseContent.parse(language.content)
        }
        return released
    }

    static func displayName(_ namespace: String, _ key: String) -> String {
        namespace == NamespaceName.default.value ? key : "\(namespace):\(key)"
    }

    public func releases(_ project: Project) async throws -> [Release] {
        try await storage.releases(of: project.id)
    }
}

/// The project's live values grouped for rendering.
private struct CurrentValues {
    let namespaces: Set<String>
    let byLanguage: [LanguageCode: [(namespace: String, key: String, value: String, updatedAt: Date)]]

    init(_ input: PublishInput) {
        let keys = Dictionary(input.keys.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        namespaces = Set(input.keys.map(\.namespace.value))
        var grouped: [LanguageCode: [(namespace: String, key: String, value: String, updatedAt: Date)]] = [:]
        for translation in input.translations {
            guard let key = keys[translation.keyID] else { continue }
            grouped[translation.language, default: []].append((key.namespace.value, key.name.value, translation.value, translation.updatedAt))
        }
        byLanguage = grouped
    }

    /// Every namespace with a live key appears, empty when the language has no value in it, so
    /// `{locale}/{namespace}.json` exists for every namespace of the release.
    func tree(for language: LanguageCode) -> (tree: ReleaseContent.Tree, count: Int, lastUpdated: Date?) {
        var tree: ReleaseContent.Tree = [:]
        for namespace in namespaces { tree[namespace] = [:] }
        var lastUpdated: Date?
        let values = byLanguage[language] ?? []
        for value in values {
            tree[value.namespace, default: [:]][value.key] = value.value
            if lastUpdated.map({ value.updatedAt > $0 }) ?? true { lastUpdated = value.updatedAt }
        }
        return (tree, values.count, lastUpdated)
    }
}
