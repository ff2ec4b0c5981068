import struct BetterI18nAPI.ContentModel
import enum BetterI18nAPI.JSONValue
import BetterI18nCore
import BetterI18nStorage
import Foundation

/// What the public Content API serves (SPEC §10): published snapshots, one language each
/// with fallback to the entry's source language, as flat items
/// `{"id","slug","title","status","publishedAt","language","sourceLanguage","availableLanguages",…fields}`.
/// An installation token with `content:read` may also ask for working copies (`status=draft`).
public struct PublicContentReader: Sendable {
    let storage: any ContentStore

    public init(storage: any ContentStore) {
        self.storage = storage
    }

    /// Which copies are served: published snapshots, or the working copies of entries with a
    /// given status (installation tokens only).
    public enum Source: Sendable, Equatable {
        case published
        case working(ContentEntryStatus)
    }

    /// The query of a list or single read, parsed and checked by ``parse(_:single:)``.
    public struct Query: Sendable, Hashable {
        public var language: LanguageCode?
        public var page = 1
        public var limit = 50
        public var sort = "updatedAt"
        public var descending = true
        public var fields: [String]?
        public var expand: [String] = []
        public var search: String?
        public var filters: [String: String] = [:]
    }

    /// Parses query parameters; `400 invalid_request` for anything out of range or unknown.
    public static func parse(_ parameters: [(String, String)], single: Bool) throws -> Query {
        var query = Query()
        func refuse(_ message: String) -> ContentFailure { .invalidRequest(message) }
        var seen: Set<String> = []
        for (name, value) in parameters {
            guard seen.insert(name).inserted else { throw refuse("'\(name.prefix(60))' is given twice.") }
            switch name {
            case "language", "locale":
                guard let code = try? LanguageCode(value) else { throw refuse("language is not a BCP 47 code.") }
                query.language = code
            case "page" where !single:
                guard let page = Int(value), page >= 1, page <= 1_000_000 else { throw refuse("page is a whole number from 1.") }
                query.page = page
            case "limit" where !single:
                guard let limit = Int(value), (1...100).contains(limit) else { throw refuse("limit is a whole number from 1 to 100.") }
                query.limit = limit
            case "sort" where !single:
                guard ["publishedAt", "createdAt", "updatedAt", "title"].contains(value) else {
                    throw refuse("sort is publishedAt, createdAt, updatedAt or title.")
                }
                query.sort = value
            case "order" where !single:
                guard value == "asc" || value == "desc" else { throw refuse("order is asc or desc.") }
                query.descending = value == "desc"
            case "fields":
                query.fields = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            case "expand":
                query.expand = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            case "search" where !single:
                query.search = value
            case "status":
                break // read by the route: it decides the source
            default:
                if !single, name.hasPrefix("filter["), name.hasSuffix("]") {
                    query.filters[String(name.dropFirst(7).dropLast())] = value
                } else {
                    throw refuse("Unknown parameter '\(name.prefix(60))'.")
                }
            }
        }
        return query
    }

    /// The item members that are not custom fields.
    static let itemMembers: Set<String> = [
        "id", "slug", "title", "status", "publishedAt", "language", "sourceLanguage", "availableLanguages", "body", "relations",
    ]

    /// The project's models as the public API lists them, counting published entries only.
    public func models(in project: Project) async throws -> [BetterI18nAPI.ContentModel] {
        try await storage.readingContent { tx in
            let models = try await tx.models(in: project.id)
            let counts = try await tx.entryCounts(in: project.id)
            let slugs = Dictionary(uniqueKeysWithValues: models.map { ($0.id, $0.slug) })
            return models.map { model in
                BetterI18nAPI.ContentModel(
                    id: model.id.rawValue, slug: model.slug, displayName: model.displayName, description: model.description,
                    kind: model.kind.rawValue, includeBody: model.includeBody,
                    fields: model.fields.map { field in
                        .init(name: field.name, displayName: field.displayName, type: field.type.rawValue, localized: field.localized,
                              required: field.required, helpText: field.helpText, enumValues: field.enumValues,
                              targetModel: field.targetModel.map { slugs[$0] ?? $0.rawValue }, multiple: field.multiple)
                    },
                    entryCount: counts[model.id]?.published ?? 0, createdAt: model.createdAt.iso8601, updatedAt: model.updatedAt.iso8601
                )
            }
        }
    }

    /// A page of items: `{"items","total","hasMore"}`.
    public struct ItemPage: Sendable, Encodable {
        public let items: [[String: JSONValue]]
        public let total: Int
        public let hasMore: Bool
    }

    public func list(_ modelSlug: String, in project: Project, _ query: Query, source: Source) async throws -> ItemPage {
        let (model, served, related) = try await read(modelSlug, in: project, query, source: source, slug: nil)
        let needle = query.search?.lowercased()
        var items = served.filter { item in
            if let needle, !needle.isEmpty, !item.copy.title.lowercased().contains(needle) { return false }
            return query.filters.allSatisfy { name, wanted in
                guard let value = item.value(name, model) else { return false }
                if case .array(let list) = value { return list.contains { $0.queryText == wanted } }
                return value.queryText == wanted
            }
        }
        items.sort { lhs, rhs in
            let ascending: Bool
            switch query.sort {
            case "publishedAt": ascending = (lhs.copy.publishedAt ?? .distantPast, lhs.entry.id) < (rhs.copy.publishedAt ?? .distantPast, rhs.entry.id)
            case "createdAt": ascending = (lhs.entry.createdAt, lhs.entry.id) < (rhs.entry.createdAt, rhs.entry.id)
            case "title": ascending = (lhs.copy.title.lowercased(), lhs.entry.id) < (rhs.copy.title.lowercased(), rhs.entry.id)
            default: ascending = (lhs.copy.updatedAt, lhs.entry.id) < (rhs.copy.updatedAt, rhs.entry.id)
            }
            return query.descending ? !ascending : ascending
        }
        let start = min((query.page - 1) * query.limit, items.count)
        let end = min(start + query.limit, items.count)
        let rendered = items[start..<end].map { render($0, model, query, related: related, withBody: false) }
        return ItemPage(items: rendered, total: items.count, hasMore: end < items.count)
    }

    public func single(_ modelSlug: String, slug: String, in project: Project, _ query: Query, source: Source) async throws -> [String: JSONValue] {
        let (model, served, related) = try await read(modelSlug, in: project, query, source: source, slug: slug)
        guard let item = served.first else { throw ContentFailure.notFound }
        return render(item, model, query, related: related, withBody: true)
    }

    // MARK: Reading

    /// One language's copy of an entry as served.
    struct Copy {
        var title: String
        var body: String?
        var fields: [String: JSONValue]
        var shared: [String: JSONValue]
        var publishedAt: Date?
        var updatedAt: Date
        var language: LanguageCode
    }

    struct Served {
        var entry: ContentEntryRecord
        var copy: Copy
        var available: [LanguageCode]

        func value(_ name: String, _ model: ContentModelRecord) -> JSONValue? {
            guard let field = model.field(named: name) else { return nil }
            return field.localized ? copy.fields[name] : copy.shared[name]
        }
    }

    /// A related entry, for `expand`.
    struct Related {
        var entry: ContentEntryRecord
        var model: ContentModelRecord
    }

    static func copy(of entry: ContentEntryRecord, _ language: LanguageCode?, source: Source) -> (Copy, [LanguageCode])? {
        switch source {
        case .published:
            guard entry.status != .archived else { return nil }
            let available = entry.languages.filter { $0.published != nil }.map(\.language)
            let chosen = [language, entry.sourceLanguage].compactMap { $0 }.lazy.compactMap { entry.language($0) }.first { $0.published != nil }
            guard let chosen, let snapshot = chosen.published else { return nil }
            return (Copy(title: snapshot.title, body: snapshot.body, fields: snapshot.fields, shared: snapshot.shared,
                         publishedAt: snapshot.publishedAt, updatedAt: snapshot.publishedAt, language: chosen.language), available)
        case .working(let status):
            guard entry.status == status else { return nil }
            let chosen = [language, entry.sourceLanguage].compactMap { $0 }.lazy.compactMap { entry.language($0) }.first
            guard let chosen = chosen ?? entry.languages.first else { return nil }
            return (Copy(title: chosen.title, body: chosen.body, fields: chosen.fields, shared: entry.fields,
                         publishedAt: chosen.published?.publishedAt, updatedAt: entry.updatedAt, language: chosen.language),
                    entry.languages.map(\.language))
        }
    }

    private func read(_ modelSlug: String, in project: Project, _ query: Query, source: Source, slug: String?)
        async throws -> (ContentModelRecord, [Served], [ContentEntryID: Related]) {
        try await storage.readingContent { tx in
            guard let model = try await tx.model(in: project.id, slug: modelSlug) else { throw ContentFailure.notFound }
            try Self.check(query, model)
            let entries: [ContentEntryRecord]
            if let slug {
                entries = try await tx.entry(of: model.id, slug: slug).map { [$0] } ?? []
            } else {
                entries = try await tx.entries(of: model.id)
            }
            let served = entries.compactMap { entry -> Served? in
                guard let (copy, available) = Self.copy(of: entry, query.language, source: source) else { return nil }
                return Served(entry: entry, copy: copy, available: available)
            }
            var related: [ContentEntryID: Related] = [:]
            let expanded = query.expand.compactMap(model.field(named:))
            let ids = served.flatMap { item in expanded.flatMap { item.value($0.name, model).map(Self.relationIDs) ?? [] } }
            if !ids.isEmpty {
                var models: [ContentModelID: ContentModelRecord] = [:]
                for entry in try await tx.entries(ids: ids) {
                    if models[entry.modelID] == nil { models[entry.modelID] = try await tx.model(entry.modelID) }
                    if let target = models[entry.modelID] { related[entry.id] = Related(entry: entry, model: target) }
                }
            }
            return (model, served, related)
        }
    }

    static func relationIDs(_ value: JSONValue) -> [ContentEntryID] {
        switch value {
        case .string(let raw): ContentEntryID(raw).map { [$0] } ?? []
        case .array(let items): items.compactMap { $0.stringValue.flatMap(ContentEntryID.init) }
        default: []
        }
    }

    /// `fields`, `expand` and `filter` name what the model has.
    static func check(_ query: Query, _ model: ContentModelRecord) throws {
        for name in query.fields ?? [] where !itemMembers.contains(name) && model.field(named: name) == nil {
            throw ContentFailure.invalidRequest("fields names '\(name.prefix(100))', which the model does not have.")
        }
        for name in query.expand where model.field(named: name)?.type != .relation {
            throw ContentFailure.invalidRequest("expand names '\(name.prefix(100))', which is not a relation field of the model.")
        }
        for name in query.filters.keys where model.field(named: name) == nil {
            throw ContentFailure.invalidRequest("filter names '\(name.prefix(100))', which the model does not have.")
        }
    }

    // MARK: Rendering

    private func render(_ item: Served, _ model: ContentModelRecord, _ query: Query, related: [ContentEntryID: Related],
                        withBody: Bool) -> [String: JSONValue] {
        var object: [String: JSONValue] = [
            "id": .string(item.entry.id.rawValue),
            "slug": .string(item.entry.slug),
            "title": .string(item.copy.title),
            "status": .string(item.entry.status.rawValue),
            "publishedAt": item.copy.publishedAt.map { .string($0.iso8601) } ?? .null,
            "language": .string(item.copy.language.value),
            "sourceLanguage": .string(item.entry.sourceLanguage.value),
            "availableLanguages": .array(item.available.map { .string($0.value) }),
        ]
        let wantsBody = withBody || (query.fields?.contains("body") ?? false)
        if wantsBody, model.includeBody { object["body"] = item.copy.body.map(JSONValue.string) ?? .null }
        for field in model.fields {
            object[field.name] = item.value(field.name, model) ?? .null
        }
        if !query.expand.isEmpty {
            var relations: [String: JSONValue] = [:]
            for name in query.expand {
                guard let field = model.field(named: name) else { continue }
                let targets = (item.value(name, model).map(Self.relationIDs) ?? []).map { expanded($0, related, query.language) }
                relations[name] = field.multiple ? .array(targets.filter { !$0.isNull }) : (targets.first ?? .null)
            }
            object["relations"] = .object(relations)
        }
        if let fields = query.fields {
            let keep = Set(fields).union(["slug", "publishedAt"]).union(query.expand.isEmpty ? [] : ["relations"])
            object = object.filter { keep.contains($0.key) }
        }
        return object
    }

    /// A related entry's published snapshot as `{id, slug, title, model, …fields}`; null when
    /// nothing of it is published.
    private func expanded(_ id: ContentEntryID, _ related: [ContentEntryID: Related], _ language: LanguageCode?) -> JSONValue {
        guard let target = related[id], let (copy, _) = Self.copy(of: target.entry, language, source: .published) else { return .null }
        var object: [String: JSONValue] = [
            "id": .string(target.entry.id.rawValue), "slug": .string(target.entry.slug), "title": .string(copy.title),
            "model": .string(target.model.slug),
        ]
        for field in target.model.fields where !Self.itemMembers.contains(field.name) {
            object[field.name] = (field.localized ? copy.fields[field.name] : copy.shared[field.name]) ?? .null
        }
        return .object(object)
    }
}
