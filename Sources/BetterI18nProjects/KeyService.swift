import enum BetterI18nAPI.ConflictPolicy
import struct BetterI18nAPI.NewKey
import struct BetterI18nAPI.TranslationValue
import BetterI18nCore
import BetterI18nStorage
import Foundation

/// One refused item of a bulk request (SPEC §6.2): its index, a code, a message and, for
/// message-format errors, the character offset.
public struct ItemProblem: Error, Equatable, Sendable {
    public let index: Int
    public let code: String
    public let message: String
    public let offset: Int?
    /// The input it is about, as a path into the body (`fields.price`, `translations.de.title`).
    public let field: String?
    /// For imports: the file's line and the key.
    public var line: Int?
    public var key: String?

    public init(index: Int, code: String, message: String, offset: Int? = nil, field: String? = nil, line: Int? = nil, key: String? = nil) {
        self.index = index
        self.code = code
        self.message = message
        self.offset = offset
        self.field = field
        self.line = line
        self.key = key
    }
}

/// Why a key or translation request was refused as a whole.
public enum KeyFailure: Error, Equatable, Sendable {
    /// One or more items are invalid; nothing was written (`422 validation_failed`).
    case invalidItems([ItemProblem])
    /// `on_conflict: fail` met an existing key, or a rename collided (`409 conflict`).
    case conflict(String)
    /// The key does not exist in the project (`404 not_found`).
    case notFound
}

/// Keys and translations as the partner API writes them: bulk, validated item by item, all or
/// nothing (SPEC §6.2). Knows nothing of HTTP.
public struct KeyService: Sendable {
    public static let maximumItems = 1000

    public typealias ConflictPolicy = BetterI18nAPI.ConflictPolicy
    public typealias NewKey = BetterI18nAPI.NewKey
    /// One value of `PUT …/translations`: a key by id, or by name and namespace.
    public typealias NewValue = BetterI18nAPI.TranslationValue
    public typealias Stores = ProjectStore & TranslationStore & AuditStore

    public struct KeyResult: Sendable {
        public var created: [TranslationKey] = []
        public var updated: [TranslationKey] = []
        public var skipped: [TranslationKey] = []
    }

    let storage: any Stores
    let views: ProjectViews?
    let clock: any WallClock
    let random: any RandomSource

    /// `views`, when given, are told of every write, so the next project read is fresh.
    public init(storage: any Stores, views: ProjectViews? = nil, clock: any WallClock, random: any RandomSource = SystemRandomSource()) {
        self.storage = storage
        self.views = views
        self.clock = clock
        self.random = random
    }

    /// Creates keys with optional first translations; existing keys are skipped, updated
    /// (description and given translations) or refused, as `policy` says.
    public func createKeys(
        _ items: [NewKey], in project: Project, policy: ConflictPolicy, author: String, origin: WriteOrigin? = nil
    ) async throws -> KeyResult {
        try Self.checkCount(items.count)
        let languages = Set(try await storage.languages(of: project.id).map(\.code))
        var (byName, nesting) = try await namedKeys(items, in: project)
        let now = clock.now()
        var problems: [ItemProblem] = []
        var seen: Set<String> = []
        var result = KeyResult()
        var translations: [Translation] = []
        for (index, item) in items.enumerated() {
            do {
                let name = try KeyName(item.name)
                let namespace = try item.namespace.map(NamespaceName.init) ?? .default
                if let description = item.description, description.count > 2000 {
                    throw ValidationError(field: "description", message: "at most 2000 characters")
                }
                let identity = "\(namespace.value)\u{0}\(name.value)"
                guard seen.insert(identity).inserted else {
                    problems.append(ItemProblem(index: index, code: "duplicate_key", message: "'\(name)' appears twice in this request"))
                    continue
                }
                var key: TranslationKey
                if var current = byName[identity] {
                    switch policy {
                    case .fail:
                        throw KeyFailure.conflict("the key '\(name)' already exists in namespace '\(namespace)'")
                    case .skip:
                        result.skipped.append(current)
                        continue
                    case .update:
                        if let description = item.description { current.description = description }
                        current.updatedAt = now
                        result.updated.append(current)
                        key = current
                    }
                } else {
                    // A new key that would be both a value and an object in the nested CDN
                    // files is refused whatever on_conflict says (SPEC §8).
                    if let conflict = nesting[namespace.value]?.conflict(for: name.value) {
                        throw ItemProblem(index: index, code: "key_conflict", message: conflict.message(for: name.value))
                    }
                    nesting[namespace.value, default: KeyNesting.Index([String]())].insert(name.value)
                    key = TranslationKey(
                        id: .generate(using: random), projectID: project.id, namespace: namespace, name: name,
                        description: item.description, createdAt: now, updatedAt: now
                    )
                    result.created.append(key)
                }
                for (rawLanguage, value) in (item.translations ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let language = try Self.language(rawLanguage, in: languages)
                    try Self.checkMessage(value, index: index)
                    translations.append(Translation(keyID: key.id, language: language, value: value, updatedBy: author, updatedAt: now))
                }
            } catch let error as ValidationError {
                problems.append(ItemProblem(index: index, code: "invalid_\(error.field)", message: error.message))
            } catch let problem as ItemProblem {
                problems.append(problem)
            }
        }
        guard problems.isEmpty else { throw KeyFailure.invalidItems(problems) }
        do {
            try await storage.applyKeys(
                created: result.created, updated: result.updated, translations: translations,
                events: Self.events(created: result.created, updated: result.updated, translations: translations, in: project, at: now)
            )
        } catch let error as StorageError where error.isConflict {
            throw KeyFailure.conflict("a key was created by someone else meanwhile; retry")
        }
        views?.changed(project.id)
        if !result.created.isEmpty {
            try await audit(.keysCreated, project, origin, ["keys": Self.names(result.created)])
        }
        if !translations.isEmpty {
            try await audit(.translationsUpdated, project, origin, ["values": String(translations.count)])
        }
        return result
    }

    /// `keys.created` for the new keys and `translations.updated` for the values written, one of
    /// each per request.
    static func events(
        created: [TranslationKey], updated: [TranslationKey], translations: [Translation], in project: Project, at now: Date
    ) -> [OutboxEvent] {
        var events: [OutboxEvent] = []
        if !created.isEmpty { events.append(.keysCreated(project, keys: created, at: now)) }
        if !translations.isEmpty {
            let written = Set(translations.map(\.keyID))
            let keys = (created + updated).filter { written.contains($0.id) }
            events.append(.translationsUpdated(project, keys: keys, languages: Set(translations.map(\.language)), at: now))
        }
        return events
    }

    /// The existing keys a create request names, by `namespace\0name`, and the nesting keys
    /// around its names per namespace. Only these are read: a write costs the request, not the
    /// project.
    private func namedKeys(_ items: [NewKey], in project: Project) async throws
        -> (byName: [String: TranslationKey], nesting: [String: KeyNesting.Index]) {
        let named = items.compactMap { item -> KeyPosition? in
            guard let name = try? KeyName(item.name), let namespace = try? item.namespace.map(NamespaceName.init) ?? .default else { return nil }
            return KeyPosition(namespace: namespace.value, name: name.value)
        }
        let existing = try await storage.liveKeys(in: project.id, ids: [], names: named)
        let byName = Dictionary(existing.map { ("\($0.namespace.value)\u{0}\($0.name.value)", $0) }, uniquingKeysWith: { first, _ in first })
        var nesting: [String: KeyNesting.Index] = [:]
        for (namespace, positions) in Dictionary(grouping: named, by: \.namespace) {
            let neighbours = try await storage.nestingNeighbours(in: project.id, namespace: namespace, names: positions.map(\.name))
            nesting[namespace] = KeyNesting.Index(neighbours)
        }
        return (byName, nesting)
    }

    /// Renames, moves or re-describes one key.
    public func updateKey(
        _ rawID: String, in project: Project, name: String?, namespace: String?, description: String??, origin: WriteOrigin? = nil
    ) async throws -> TranslationKey {
        guard let id = KeyID(rawID), var key = try await storage.liveKeys(in: project.id, ids: [id], names: []).first else {
            throw KeyFailure.notFound
        }
        let original = key
        do {
            if let name { key.name = try KeyName(name) }
            if let namespace { key.namespace = try NamespaceName(namespace) }
        } catch let error as ValidationError {
            throw KeyFailure.invalidItems([ItemProblem(index: 0, code: "invalid_\(error.field)", message: error.message)])
        }
        // The same limits as a create (SPEC §6.2: every path that writes a field).
        if let description, let text = description, text.count > 2000 {
            throw KeyFailure.invalidItems([ItemProblem(index: 0, code: "invalid_description", message: "at most 2000 characters")])
        }
        if key.name != original.name || key.namespace != original.namespace {
            var neighbours = try await storage.nestingNeighbours(in: project.id, namespace: key.namespace.value, names: [key.name.value])
            if original.namespace == key.namespace { neighbours.removeAll { $0 == original.name.value } }   // itself
            if let conflict = KeyNesting.Index(neighbours).conflict(for: key.name.value) {
                throw KeyFailure.invalidItems([ItemProblem(index: 0, code: "key_conflict", message: conflict.message(for: key.name.value))])
            }
        }
        if let description { key.description = description }
        key.updatedAt = clock.now()
        do {
            try await storage.updateKey(key)
        } catch let error as StorageError where error.isConflict {
            throw KeyFailure.conflict("the key '\(key.name)' already exists in namespace '\(key.namespace)'")
        }
        views?.changed(project.id)
        try await audit(.keyUpdated, project, origin, [
            "key": key.id.rawValue, "from": Self.names([original]), "to": Self.names([key]),
        ])
        return key
    }

    /// Soft-deletes keys; an unknown id is an item error and nothing is deleted.
    public func deleteKeys(_ rawIDs: [String], in project: Project, origin: WriteOrigin? = nil) async throws -> Int {
        try Self.checkCount(rawIDs.count)
        let liveKeys = try await storage.liveKeys(in: project.id, ids: rawIDs.compactMap(KeyID.init), names: [])
        let live = Set(liveKeys.map(\.id))
        var ids: [KeyID] = []
        var problems: [ItemProblem] = []
        for (index, raw) in rawIDs.enumerated() {
            if let id = KeyID(raw), live.contains(id) {
                ids.append(id)
            } else {
                problems.append(ItemProblem(index: index, code: "unknown_key", message: "'\(raw.prefix(40))' is not a key of this project"))
            }
        }
        guard problems.isEmpty else { throw KeyFailure.invalidItems(problems) }
        do {
            let now = clock.now()
            try await storage.deleteKeys(ids, in: project.id, at: now, events: [.keysDeleted(project, keys: liveKeys, at: now)])
        } catch let error as StorageError where error.isNotFound {
            throw KeyFailure.invalidItems([ItemProblem(index: 0, code: "unknown_key", message: "a key was deleted meanwhile; retry")])
        }
        views?.changed(project.id)
        try await audit(.keysDeleted, project, origin, ["keys": ids.map(\.rawValue).joined(separator: " ")])
        return Set(ids).count
    }

    /// Sets translation values (drafts until published), all or nothing.
    public func setTranslations(_ items: [NewValue], in project: Project, author: String, origin: WriteOrigin? = nil) async throws -> Int {
        try Self.checkCount(items.count)
        let languages = Set(try await storage.languages(of: project.id).map(\.code))
        let keys = try await storage.liveKeys(
            in: project.id, ids: items.compactMap { $0.keyID.flatMap(KeyID.init) },
            names: items.compactMap { item in item.key.map { KeyPosition(namespace: item.namespace ?? NamespaceName.default.value, name: $0) } }
        )
        let byID = Dictionary(keys.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let byName = Dictionary(keys.map { ("\($0.namespace.value)\u{0}\($0.name.value)", $0) }, uniquingKeysWith: { first, _ in first })
        let now = clock.now()
        var problems: [ItemProblem] = []
        var values: [Translation] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            do {
                let key: TranslationKey?
                if let raw = item.keyID {
                    key = KeyID(raw).flatMap { byID[$0] }
                } else if let name = item.key {
                    key = byName["\(item.namespace ?? NamespaceName.default.value)\u{0}\(name)"]
                } else {
                    throw ItemProblem(index: index, code: "invalid_key", message: "give key_id, or key and namespace")
                }
                guard let key else { throw ItemProblem(index: index, code: "unknown_key", message: "no such key in this project") }
                let language = try Self.language(item.language, in: languages)
                guard seen.insert("\(key.id.rawValue)\u{0}\(language.value)").inserted else {
                    throw ItemProblem(index: index, code: "duplicate_translation", message: "this key and language appear twice")
                }
                try Self.checkMessage(item.value, index: index)
                values.append(Translation(keyID: key.id, language: language, value: item.value, updatedBy: author, updatedAt: now))
            } catch let problem as ItemProblem {
                problems.append(problem)
            } catch let error as ValidationError {
                problems.append(ItemProblem(index: index, code: "invalid_\(error.field)", message: error.message))
            }
        }
        guard problems.isEmpty else { throw KeyFailure.invalidItems(problems) }
        let written = Set(values.map(\.keyID))
        try await storage.saveTranslations(values, events: values.isEmpty ? [] : [.translationsUpdated(
            project, keys: keys.filter { written.contains($0.id) }, languages: Set(values.map(\.language)), at: now
        )])
        if !values.isEmpty {
            try await audit(.translationsUpdated, project, origin, [
                "values": String(values.count),
                "languages": Set(values.map(\.language.value)).sorted().joined(separator: " "),
            ])
        }
        return values.count
    }

    /// Records a write in the audit log when its origin is known (the dashboard passes one).
    private func audit(_ kind: AuditEvent.Kind, _ project: Project, _ origin: WriteOrigin?, _ details: [String: String]) async throws {
        guard let origin else { return }
        var details = details
        details["project"] = project.id.rawValue
        try await storage.recordAudit(origin.event(kind, in: project.organizationID, details: details, at: clock.now()))
    }

    /// Key names as pending changes show them, space-separated, at most 50.
    static func names(_ keys: [TranslationKey]) -> String {
        keys.prefix(50).map { ReleaseService.displayName($0.namespace.value, $0.name.value) }.joined(separator: " ")
    }

    // MARK: Reading

    /// The live keys among `ids` in the project (another project's key is simply absent).
    public func liveKeys(ids: [KeyID], in project: ProjectID) async throws -> [TranslationKey] {
        try await storage.liveKeys(in: project, ids: ids, names: [])
    }

    /// How many live keys have a value in each language: progress per language.
    public func valueCounts(_ project: ProjectID) async throws -> [LanguageCode: Int] {
        try await storage.valueCounts(in: project)
    }

    /// A page of the project's live keys, filtered in storage: `namespace` exactly, `search` as
    /// a case-insensitive substring of the name, `missingLanguage` for keys without a value in
    /// that language; `next` is where the following page starts, nil on the last.
    public func keys(
        in project: Project, namespace: String?, search: String?, missingLanguage: String?, after: KeyPosition?, limit: Int
    ) async throws -> (keys: [TranslationKey], next: KeyPosition?) {
        let language = try missingLanguage.map(LanguageCode.init)
        let found = try await storage.keyPage(in: project.id, KeyPageQuery(
            namespace: namespace, search: search, missingLanguage: language, after: after, limit: limit + 1
        ))
        guard found.count > limit else { return (found, nil) }
        let page = Array(found.prefix(limit))
        return (page, page.last.map { KeyPosition(namespace: $0.namespace.value, name: $0.name.value) })
    }

    /// A page of the project's live values with their keys, filtered in storage by languages
    /// (comma list), namespace, keys (names or ids, comma list) and status against the latest
    /// release of each language.
    public func translations(
        in project: Project, languages: String?, namespace: String?, keys rawKeys: String?, status: ValueStatus?,
        after: TranslationPosition?, limit: Int
    ) async throws -> (values: [(key: TranslationKey, value: Translation)], next: TranslationPosition?) {
        let wanted = try languages.map { try $0.split(separator: ",").map { try LanguageCode(String($0)) } }
        let found = try await storage.translationPage(in: project.id, TranslationPageQuery(
            languages: wanted, namespace: namespace, keys: rawKeys.map { $0.split(separator: ",").map(String.init) },
            status: status, after: after, limit: limit + 1
        ))
        guard found.count > limit else { return (found, nil) }
        let page = Array(found.prefix(limit))
        return (page, page.last.map {
            TranslationPosition(namespace: $0.key.namespace.value, name: $0.key.name.value, language: $0.value.language.value)
        })
    }

    static func checkCount(_ count: Int) throws {
        guard count <= maximumItems else {
            throw KeyFailure.invalidItems([ItemProblem(
                index: maximumItems, code: "too_many_items", message: "at most \(maximumItems) items per request, got \(count)"
            )])
        }
    }

    static func language(_ raw: String, in languages: Set<LanguageCode>) throws -> LanguageCode {
        let code = try LanguageCode(raw)
        guard languages.contains(code) else {
            throw ValidationError(field: "language", message: "the project has no language '\(code)'")
        }
        return code
    }

    static func checkMessage(_ value: String, index: Int) throws {
        guard value.count <= 100_000 else {
            throw ItemProblem(index: index, code: "value_too_long", message: "a value is at most 100,000 characters")
        }
        do {
            try MessageFormat.validate(value)
        } catch let error as MessageFormat.SyntaxError {
            throw ItemProblem(index: index, code: "invalid_message_format", message: error.message, offset: error.offset)
        }
    }
}
