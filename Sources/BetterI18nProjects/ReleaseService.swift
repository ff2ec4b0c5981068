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
            let (content, count, lastUpdated) = current.render(language)
            result[language] = ReleaseLanguage(language: language, content: content, keyCount: count, lastUpdated: lastUpdated ?? time)
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
            let now = current.tree(for: language)
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
///
/// Keys are put in byte order once (namespace, then name) and every language is written in
/// that order straight into canonical JSON — no per-language dictionaries or sorts, which were
/// most of a 10,000-key × 10-language publish.
private struct CurrentValues {
    /// Namespaces in byte order, each with its keys' names in byte order and their slots.
    let namespaces: [(name: String, keys: [(name: String, slot: Int)])]
    /// Per language, a value (and its time) per key slot.
    let byLanguage: [LanguageCode: [(value: String, updatedAt: Date)?]]

    init(_ input: PublishInput) {
        let sorted = input.keys
            .map { (namespace: Array($0.namespace.value.utf8), name: Array($0.name.value.utf8), key: $0) }
            .sorted { $0.namespace == $1.namespace ? $0.name.lexicographicallyPrecedes($1.name) : $0.namespace.lexicographicallyPrecedes($1.namespace) }
        var slots: [KeyID: Int] = [:]
        slots.reserveCapacity(sorted.count)
        var namespaces: [(name: String, keys: [(name: String, slot: Int)])] = []
        for (slot, entry) in sorted.enumerated() {
            slots[entry.key.id] = slot
            if namespaces.last?.name != entry.key.namespace.value { namespaces.append((entry.key.namespace.value, [])) }
            namespaces[namespaces.count - 1].keys.append((entry.key.name.value, slot))
        }
        var byLanguage: [LanguageCode: [(value: String, updatedAt: Date)?]] = [:]
        for translation in input.translations {
            guard let slot = slots[translation.keyID] else { continue }
            if byLanguage[translation.language] == nil { byLanguage[translation.language] = Array(repeating: nil, count: sorted.count) }
            byLanguage[translation.language]![slot] = (translation.value, translation.updatedAt)
        }
        self.namespaces = namespaces
        self.byLanguage = byLanguage
    }

    /// The canonical body of one language. Every namespace with a live key appears, empty when
    /// the language has no value in it, so `{locale}/{namespace}.json` exists for each.
    func render(_ language: LanguageCode) -> (content: String, count: Int, lastUpdated: Date?) {
        let values = byLanguage[language] ?? []
        var writer = CanonicalJSONWriter()
        var count = 0
        var lastUpdated: Date?
        var namespaceIndex = 0
        writer.object(namespaces.map(\.name)) { _, writer in
            var present: [(name: String, value: String)] = []
            for key in namespaces[namespaceIndex].keys {
                guard !values.isEmpty, let value = values[key.slot] else { continue }
                present.append((key.name, value.value))
                if lastUpdated.map({ value.updatedAt > $0 }) ?? true { lastUpdated = value.updatedAt }
            }
            namespaceIndex += 1
            count += present.count
            var keyIndex = 0
            writer.object(present.map(\.name)) { _, writer in
                writer.string(present[keyIndex].value)
                keyIndex += 1
            }
        }
        return (writer.text, count, lastUpdated)
    }

    /// The same values as a tree, for comparing with a release.
    func tree(for language: LanguageCode) -> ReleaseContent.Tree {
        let values = byLanguage[language] ?? []
        var tree: ReleaseContent.Tree = [:]
        for namespace in namespaces {
            var entries: [String: String] = [:]
            for key in namespace.keys {
                guard !values.isEmpty, let value = values[key.slot] else { continue }
                entries[key.name] = value.value
            }
            tree[namespace.name] = entries
        }
        return tree
    }

}
