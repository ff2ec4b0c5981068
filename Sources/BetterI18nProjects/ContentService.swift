import struct BetterI18nAPI.ContentEntryWrite
import struct BetterI18nAPI.ContentFieldUpdate
import struct BetterI18nAPI.ContentModelUpdate
import enum BetterI18nAPI.JSONValue
import struct BetterI18nAPI.NewContentField
import struct BetterI18nAPI.NewContentModel
import struct BetterI18nAPI.NewEntryTranslation
import BetterI18nCore
import BetterI18nStorage
import Foundation

/// The Content CMS (SPEC §10): models, fields and localized entries, published per language.
/// The one enforcement point for REST, MCP and the dashboard. Every write is one method, run
/// inside one storage transaction (`writingContent`), so what it checks and what it writes
/// cannot be split by a concurrent request, and a refusal writes nothing.
public struct ContentService: Sendable {
    public typealias Stores = ContentStore & ProjectStore

    let storage: any Stores
    let clock: any WallClock
    let random: any RandomSource
    /// Told after every committed write, so caches of published content drop the project.
    let changed: @Sendable (ProjectID) -> Void

    public init(storage: any Stores, clock: any WallClock, random: any RandomSource = SystemRandomSource(),
                changed: @escaping @Sendable (ProjectID) -> Void = { _ in }) {
        self.storage = storage
        self.clock = clock
        self.random = random
        self.changed = changed
    }

    /// A model with how many entries it has (all, and those the public API serves).
    public struct ModelSummary: Sendable {
        public var model: ContentModelRecord
        public var entries: ContentEntryCount
        /// Slugs of every model of the project by id, to name relation targets.
        public var slugs: [ContentModelID: String]
    }

    // MARK: Reads

    public func models(in project: Project) async throws -> [ModelSummary] {
        try await storage.readingContent { tx in
            let models = try await tx.models(in: project.id)
            let counts = try await tx.entryCounts(in: project.id)
            let slugs = Dictionary(uniqueKeysWithValues: models.map { ($0.id, $0.slug) })
            return models.map { ModelSummary(model: $0, entries: counts[$0.id] ?? .init(all: 0, published: 0), slugs: slugs) }
        }
    }

    public func model(_ reference: String, in project: Project) async throws -> ModelSummary {
        try await storage.readingContent { tx in try await Self.summary(of: try await Self.model(reference, in: project, tx), tx) }
    }

    /// The model a path names: its slug, or its `cmd_` id.
    static func model(_ reference: String, in project: Project, _ tx: any ContentTransaction) async throws -> ContentModelRecord {
        let found: ContentModelRecord?
        if let id = ContentModelID(reference) {
            found = try await tx.model(id)
        } else {
            found = try await tx.model(in: project.id, slug: reference)
        }
        guard let found, found.projectID == project.id else { throw ContentFailure.notFound }
        return found
    }

    static func summary(of model: ContentModelRecord, _ tx: any ContentTransaction) async throws -> ModelSummary {
        let models = try await tx.models(in: model.projectID)
        let counts = try await tx.entryCounts(in: model.projectID)
        return ModelSummary(model: model, entries: counts[model.id] ?? .init(all: 0, published: 0),
                            slugs: Dictionary(uniqueKeysWithValues: models.map { ($0.id, $0.slug) }))
    }

    /// An entry and its model.
    public struct EntryView: Sendable {
        public var entry: ContentEntryRecord
        public var model: ContentModelRecord

        public init(entry: ContentEntryRecord, model: ContentModelRecord) {
            self.entry = entry
            self.model = model
        }
    }

    public func entry(_ rawID: String, in project: Project) async throws -> EntryView {
        try await storage.readingContent { tx in try await Self.entry(rawID, in: project, tx) }
    }

    static func entry(_ rawID: String, in project: Project, _ tx: any ContentTransaction) async throws -> EntryView {
        guard let id = ContentEntryID(rawID), let entry = try await tx.entry(id), entry.projectID == project.id,
              let model = try await tx.model(entry.modelID) else { throw ContentFailure.notFound }
        return EntryView(entry: entry, model: model)
    }

    /// What `GET …/entries` asks for.
    public struct EntryQuery: Sendable {
        public var language: String?
        public var status: String?
        public var search: String?
        public var filters: [String: String]
        public var sort: String?
        public var order: String?

        public init(language: String? = nil, status: String? = nil, search: String? = nil, filters: [String: String] = [:],
                    sort: String? = nil, order: String? = nil) {
            self.language = language
            self.status = status
            self.search = search
            self.filters = filters
            self.sort = sort
            self.order = order
        }
    }

    /// Entries of a model, filtered and sorted (paged by the caller).
    public func entries(of reference: String, in project: Project, _ query: EntryQuery) async throws -> (model: ContentModelRecord, entries: [ContentEntryRecord]) {
        let language = try query.language.map { raw -> LanguageCode in
            guard let code = try? LanguageCode(raw) else { throw ContentFailure.invalidRequest("language is not a BCP 47 code.") }
            return code
        }
        let status = try query.status.map { raw -> ContentEntryStatus in
            guard let status = ContentEntryStatus(rawValue: raw) else { throw ContentFailure.invalidRequest("status must be draft, published or archived.") }
            return status
        }
        let sort = query.sort ?? "updated_at"
        guard ["updated_at", "created_at", "published_at", "title"].contains(sort) else {
            throw ContentFailure.invalidRequest("sort must be updated_at, created_at, published_at or title.")
        }
        let descending = try Self.descending(query.order)
        let (model, all) = try await storage.readingContent { tx in
            let model = try await Self.model(reference, in: project, tx)
            return (model, try await tx.entries(of: model.id))
        }
        try Self.checkFilters(query.filters, model)
        let needle = query.search?.lowercased()
        var entries = all.filter { entry in
            if let language, entry.language(language) == nil { return false }
            if let status, entry.status != status { return false }
            if let needle, !needle.isEmpty, !entry.languages.contains(where: { $0.title.lowercased().contains(needle) }) { return false }
            return query.filters.allSatisfy { name, wanted in
                let field = model.field(named: name)!
                let values = field.localized ? entry.languages.compactMap { $0.fields[name] } : [entry.fields[name]].compactMap { $0 }
                return values.contains { Self.value($0, matches: wanted) }
            }
        }
        let title = { (entry: ContentEntryRecord) in
            (language.flatMap(entry.language) ?? entry.language(entry.sourceLanguage) ?? entry.languages.first)?.title ?? ""
        }
        entries.sort { lhs, rhs in
            let ascending: Bool
            switch sort {
            case "created_at": ascending = (lhs.createdAt, lhs.id.rawValue) < (rhs.createdAt, rhs.id.rawValue)
            case "published_at":
                let l = lhs.publishedAt ?? .distantPast, r = rhs.publishedAt ?? .distantPast
                ascending = (l, lhs.id.rawValue) < (r, rhs.id.rawValue)
            case "title": ascending = (title(lhs).lowercased(), lhs.id.rawValue) < (title(rhs).lowercased(), rhs.id.rawValue)
            default: ascending = (lhs.updatedAt, lhs.id.rawValue) < (rhs.updatedAt, rhs.id.rawValue)
            }
            return descending ? !ascending : ascending
        }
        return (model, entries)
    }

    static func descending(_ order: String?) throws -> Bool {
        switch order ?? "desc" {
        case "desc": return true
        case "asc": return false
        default: throw ContentFailure.invalidRequest("order must be asc or desc.")
        }
    }

    static func checkFilters(_ filters: [String: String], _ model: ContentModelRecord) throws {
        for name in filters.keys where model.field(named: name) == nil {
            throw ContentFailure.invalidRequest("filter names a field the model does not have: '\(name.prefix(100))'.")
        }
    }

    /// `filter[field]=value`: the value as text, or one of a list's members.
    static func value(_ value: JSONValue, matches wanted: String) -> Bool {
        if case .array(let items) = value { return items.contains { $0.queryText == wanted } }
        return value.queryText == wanted
    }

    // MARK: Models

    public func createModel(_ input: NewContentModel, in project: Project) async throws -> ModelSummary {
        let now = clock.now()
        let id = ContentModelID.generate(using: random)
        let summary = try await storage.writingContent { tx in
            let existing = try await tx.models(in: project.id)
            var problems = ContentProblems()
            if !ContentRules.isModelSlug(input.slug) {
                problems.add("slug", "invalid_slug", "a model slug is 1–100 of a-z, 0-9 and -")
            }
            let kind = ContentModelKindName(rawValue: input.kind ?? "collection")
            if kind == nil { problems.add("kind", "invalid_value", "kind is collection or single") }
            let displayName = input.displayName ?? input.slug
            if displayName.isEmpty || displayName.count > 200 { problems.add("display_name", "invalid_value", "a display name is 1–200 characters") }
            if let description = input.description, description.count > 2000 {
                problems.add("description", "invalid_value", "a description is at most 2000 characters")
            }
            let fields = Self.newFields(input.fields ?? [], path: "fields", existing: [], problems: &problems) { raw in
                if raw == input.slug || raw == id.rawValue { return id }
                return existing.first { $0.slug == raw || $0.id.rawValue == raw }?.id
            }
            try problems.throwIfAny()
            if existing.contains(where: { $0.slug == input.slug }) { throw ContentFailure.conflict("A model with this slug exists in the project.") }
            let model = ContentModelRecord(
                id: id, projectID: project.id, slug: input.slug, displayName: displayName, description: input.description,
                kind: kind!, includeBody: input.includeBody ?? true, fields: fields, createdAt: now, updatedAt: now
            )
            try await Self.conflictOnDuplicate { try await tx.saveModel(model, isNew: true) }
            return try await Self.summary(of: model, tx)
        }
        changed(project.id)
        return summary
    }

    static func newFields(
        _ inputs: [NewContentField], path: String, existing: [ContentFieldDefinition], problems: inout ContentProblems,
        resolveTarget: (String) -> ContentModelID?
    ) -> [ContentFieldDefinition] {
        var names = Set(existing.map(\.name))
        var fields: [ContentFieldDefinition] = []
        if inputs.count > 100 { problems.add(path, "too_many_items", "a model has at most 100 fields") }
        for (index, input) in inputs.enumerated() {
            let at = inputs.count == 1 && path == "" ? "field" : "\(path)[\(index)]"
            guard let field = ContentRules.field(input, at: at, problems: &problems, resolveTarget: resolveTarget) else { continue }
            guard names.insert(field.name).inserted else {
                problems.add("\(at).name", "duplicate_field", "the model has a field '\(field.name)' already")
                continue
            }
            fields.append(field)
        }
        return fields
    }

    public func updateModel(_ reference: String, _ update: ContentModelUpdate, in project: Project) async throws -> ModelSummary {
        let now = clock.now()
        let summary = try await storage.writingContent { tx in
            var model = try await Self.model(reference, in: project, tx)
            var problems = ContentProblems()
            if let name = update.displayName {
                if name.isEmpty || name.count > 200 { problems.add("display_name", "invalid_value", "a display name is 1–200 characters") }
                model.displayName = name
            }
            if let description = update.description {
                if description.count > 2000 { problems.add("description", "invalid_value", "a description is at most 2000 characters") }
                model.description = description.isEmpty ? nil : description
            }
            if let includeBody = update.includeBody { model.includeBody = includeBody }
            try problems.throwIfAny()
            model.updatedAt = now
            try await tx.saveModel(model, isNew: false)
            return try await Self.summary(of: model, tx)
        }
        changed(project.id)
        return summary
    }

    /// Deletes a model; one with entries only with `cascade`, one another model's relation
    /// points at never (that model's field would point at nothing).
    public func deleteModel(_ reference: String, cascade: Bool, in project: Project) async throws {
        try await storage.writingContent { tx in
            let model = try await Self.model(reference, in: project, tx)
            let referring = try await tx.models(in: project.id).filter { $0.id != model.id }.flatMap { other in
                other.fields.filter { $0.targetModel == model.id }.map { "\(other.slug).\($0.name)" }
            }
            if let first = referring.first {
                throw ContentFailure.conflict("The relation field \(first) points at this model; remove it first.")
            }
            let count = try await tx.entryCounts(in: project.id)[model.id]?.all ?? 0
            if count > 0, !cascade {
                throw ContentFailure.conflict("The model has \(count) entries; delete with cascade=true to delete them too.")
            }
            try await tx.deleteModel(model.id)
        }
        changed(project.id)
    }

    // MARK: Fields

    public func addField(_ input: NewContentField, to reference: String, in project: Project) async throws -> ModelSummary {
        let now = clock.now()
        let summary = try await storage.writingContent { tx in
            var model = try await Self.model(reference, in: project, tx)
            let models = try await tx.models(in: project.id)
            var problems = ContentProblems()
            let added = Self.newFields([input], path: "", existing: model.fields, problems: &problems) { raw in
                models.first { $0.slug == raw || $0.id.rawValue == raw }?.id
            }
            if model.fields.count >= 100 { problems.add("field", "too_many_items", "a model has at most 100 fields") }
            try problems.throwIfAny()
            model.fields += added
            model.updatedAt = now
            try await tx.saveModel(model, isNew: false)
            return try await Self.summary(of: model, tx)
        }
        changed(project.id)
        return summary
    }

    public func updateField(_ name: String, of reference: String, _ update: ContentFieldUpdate, in project: Project) async throws -> ModelSummary {
        let now = clock.now()
        let summary = try await storage.writingContent { tx in
            var model = try await Self.model(reference, in: project, tx)
            guard let index = model.fields.firstIndex(where: { $0.name == name }) else { throw ContentFailure.notFound }
            var field = model.fields[index]
            var problems = ContentProblems()
            if let displayName = update.displayName {
                if displayName.isEmpty || displayName.count > 200 { problems.add("display_name", "invalid_value", "a display name is 1–200 characters") }
                field.displayName = displayName
            }
            if let required = update.required { field.required = required }
            if let help = update.helpText {
                if help.count > 1000 { problems.add("help_text", "invalid_value", "help text is at most 1000 characters") }
                field.helpText = help.isEmpty ? nil : help
            }
            if let values = update.enumValues {
                if ContentRules.checkEnumValues(values, type: field.type, at: "enum_values", problems: &problems) { field.enumValues = values }
            }
            try problems.throwIfAny()
            model.fields[index] = field
            model.updatedAt = now
            try await tx.saveModel(model, isNew: false)
            return try await Self.summary(of: model, tx)
        }
        changed(project.id)
        return summary
    }

    /// Removes a field. Entries keep nothing of it that anyone can read: answers show only
    /// the model's current fields, and the next write of an entry drops the old value.
    public func deleteField(_ name: String, of reference: String, in project: Project) async throws -> ModelSummary {
        let now = clock.now()
        let summary = try await storage.writingContent { tx in
            var model = try await Self.model(reference, in: project, tx)
            guard model.fields.contains(where: { $0.name == name }) else { throw ContentFailure.notFound }
            model.fields.removeAll { $0.name == name }
            model.updatedAt = now
            try await tx.saveModel(model, isNew: false)
            return try await Self.summary(of: model, tx)
        }
        changed(project.id)
        return summary
    }

    // MARK: Entries

    /// Creates an entry; `status: "published"` publishes every language it carries (the
    /// caller checked `content:publish`).
    public func createEntry(_ input: ContentEntryWrite, in reference: String, project: Project) async throws -> EntryView {
        let now = clock.now()
        let id = ContentEntryID.generate(using: random)
        let languages = try await storage.languages(of: project.id).map(\.code)
        let view = try await storage.writingContent { tx in
            let model = try await Self.model(reference, in: project, tx)
            var problems = ContentProblems()
            let slug = input.slug ?? ""
            if !ContentRules.isEntrySlug(slug) { problems.add("slug", "invalid_slug", "an entry slug is 1–200 of a-z, 0-9 and -") }
            var source = project.sourceLanguage
            if let raw = input.sourceLanguage {
                if let code = try? LanguageCode(raw), languages.contains(code) { source = code } else {
                    problems.add("source_language", "invalid_language", "not a language of the project")
                }
            }
            if input.translations?.isEmpty ?? true {
                problems.add("translations", "required", "an entry has at least one language with a title")
            }
            var entry = ContentEntryRecord(
                id: id, projectID: project.id, modelID: model.id, slug: slug, status: .draft, sourceLanguage: source,
                fields: [:], languages: [], createdAt: now, updatedAt: now
            )
            try await Self.apply(input, to: &entry, model: model, languages: languages, now: now, problems: &problems, tx)
            try problems.throwIfAny()
            if model.kind == .single, (try await tx.entryCounts(in: project.id)[model.id]?.all ?? 0) > 0 {
                throw ContentFailure.conflict("The model '\(model.slug)' is single and has its entry already.")
            }
            if try await tx.entry(of: model.id, slug: slug) != nil {
                throw ContentFailure.conflict("An entry with this slug exists in the model.")
            }
            try await Self.conflictOnDuplicate { try await tx.saveEntry(entry, isNew: true) }
            try await tx.record(ContentEvents.written(.contentEntryCreated, before: nil, after: entry, model: model, in: project, at: now))
            return EntryView(entry: entry, model: model)
        }
        changed(project.id)
        return view
    }

    /// Changes an entry's slug, shared values and languages' working copies; what is not
    /// given stays. `status: "published"` publishes every language, `"archived"` hides the
    /// entry, `"draft"` brings an archived entry back (its snapshots stay).
    public func updateEntry(_ rawID: String, _ input: ContentEntryWrite, in project: Project) async throws -> EntryView {
        let now = clock.now()
        let languages = try await storage.languages(of: project.id).map(\.code)
        let view = try await storage.writingContent { tx in
            let found = try await Self.entry(rawID, in: project, tx)
            var entry = found.entry
            let model = found.model
            var problems = ContentProblems()
            if let slug = input.slug, !ContentRules.isEntrySlug(slug) {
                problems.add("slug", "invalid_slug", "an entry slug is 1–200 of a-z, 0-9 and -")
            }
            if let raw = input.sourceLanguage {
                if let code = try? LanguageCode(raw), languages.contains(code) { entry.sourceLanguage = code } else {
                    problems.add("source_language", "invalid_language", "not a language of the project")
                }
            }
            let oldSlug = entry.slug
            if let slug = input.slug { entry.slug = slug }
            try await Self.apply(input, to: &entry, model: model, languages: languages, now: now, problems: &problems, tx)
            try problems.throwIfAny()
            if entry.slug != oldSlug, try await tx.entry(of: model.id, slug: entry.slug) != nil {
                throw ContentFailure.conflict("An entry with this slug exists in the model.")
            }
            entry.updatedAt = Self.after(entry.updatedAt, now)
            try await Self.conflictOnDuplicate { try await tx.saveEntry(entry, isNew: false) }
            try await tx.record(ContentEvents.written(.contentEntryUpdated, before: found.entry, after: entry, model: model, in: project, at: now))
            return EntryView(entry: entry, model: model)
        }
        changed(project.id)
        return view
    }

    public func deleteEntry(_ rawID: String, in project: Project) async throws {
        let now = clock.now()
        try await storage.writingContent { tx in
            let view = try await Self.entry(rawID, in: project, tx)
            try await tx.deleteEntry(view.entry.id)
            try await tx.record([ContentEvents.event(
                .contentEntryDeleted, view.entry, model: view.model, languages: view.entry.languages.map(\.language), in: project, at: now
            )])
        }
        changed(project.id)
    }

    /// Publishes the listed languages (all the entry has, when nil): each one's working copy
    /// and the shared values become its published snapshot. Every `required` field must have
    /// a value in each of them.
    public func publishEntry(_ rawID: String, languages requested: [String]?, in project: Project) async throws -> EntryView {
        let now = clock.now()
        let view = try await storage.writingContent { tx in
            var view = try await Self.entry(rawID, in: project, tx)
            let codes = try Self.languages(requested, of: view.entry)
            var problems = ContentProblems()
            Self.publish(&view.entry, codes, model: view.model, now: now, problems: &problems)
            try problems.throwIfAny()
            view.entry.updatedAt = Self.after(view.entry.updatedAt, now)
            try await tx.saveEntry(view.entry, isNew: false)
            try await tx.record([ContentEvents.event(.contentEntryPublished, view.entry, model: view.model, languages: codes, in: project, at: now)])
            return view
        }
        changed(project.id)
        return view
    }

    /// Removes the published snapshots of the listed languages (all, when nil).
    public func unpublishEntry(_ rawID: String, languages requested: [String]?, in project: Project) async throws -> EntryView {
        let now = clock.now()
        let view = try await storage.writingContent { tx in
            var view = try await Self.entry(rawID, in: project, tx)
            let codes = try Self.languages(requested, of: view.entry)
            for index in view.entry.languages.indices where codes.contains(view.entry.languages[index].language) {
                view.entry.languages[index].published = nil
            }
            Self.settleStatus(&view.entry)
            view.entry.updatedAt = Self.after(view.entry.updatedAt, now)
            try await tx.saveEntry(view.entry, isNew: false)
            try await tx.record([ContentEvents.event(.contentEntryUnpublished, view.entry, model: view.model, languages: codes, in: project, at: now)])
            return view
        }
        changed(project.id)
        return view
    }

    // MARK: Rules applied by the writes

    /// Languages named by a publish or unpublish: each must be one of the entry's.
    static func languages(_ requested: [String]?, of entry: ContentEntryRecord) throws -> Set<LanguageCode> {
        guard let requested else { return Set(entry.languages.map(\.language)) }
        var problems = ContentProblems()
        if requested.isEmpty { problems.add("languages", "required", "name at least one language, or leave languages out for all") }
        var codes: Set<LanguageCode> = []
        for (index, raw) in requested.enumerated() {
            if let code = try? LanguageCode(raw), entry.language(code) != nil { codes.insert(code) } else {
                problems.add("languages[\(index)]", "unknown_language", "the entry has no language '\(raw.prefix(40))'")
            }
        }
        try problems.throwIfAny()
        return codes
    }

    static func publish(_ entry: inout ContentEntryRecord, _ codes: Set<LanguageCode>, model: ContentModelRecord, now: Date,
                        problems: inout ContentProblems) {
        for index in entry.languages.indices where codes.contains(entry.languages[index].language) {
            let language = entry.languages[index]
            let code = language.language.value
            if language.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.add("translations.\(code).title", "required", "a title is needed to publish")
            }
            for field in model.fields where field.required {
                let value = field.localized ? language.fields[field.name] : entry.fields[field.name]
                if value == nil || value == .null {
                    problems.add(field.localized ? "translations.\(code).fields.\(field.name)" : "fields.\(field.name)",
                                 "required", "a value is needed to publish")
                }
            }
            entry.languages[index].published = ContentSnapshot(
                title: language.title, body: model.includeBody ? language.body : nil, fields: language.fields,
                shared: entry.fields, publishedAt: now
            )
        }
        if entry.status != .archived { entry.status = .published }
    }

    static func settleStatus(_ entry: inout ContentEntryRecord) {
        guard entry.status != .archived else { return }
        entry.status = entry.languages.contains { $0.published != nil } ? .published : .draft
    }

    /// Applies a write's shared values, languages and status to `entry`, checking each value
    /// against its field (and relations against their target model).
    static func apply(_ input: ContentEntryWrite, to entry: inout ContentEntryRecord, model: ContentModelRecord, languages: [LanguageCode],
                      now: Date, problems: inout ContentProblems, _ tx: any ContentTransaction) async throws {
        var relations: [(path: String, field: ContentFieldDefinition, value: JSONValue)] = []
        // Values of fields the model no longer has are dropped at the first write.
        entry.fields = entry.fields.filter { name, _ in model.field(named: name).map { !$0.localized } ?? false }
        for (name, value) in (input.fields ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "fields.\(name)"
            guard let field = model.field(named: name) else {
                problems.add(path, "unknown_field", "the model '\(model.slug)' has no field '\(name.prefix(100))'")
                continue
            }
            if field.localized {
                problems.add(path, "localized_field", "a localized field is set per language, in translations.<language>.fields")
                continue
            }
            ContentRules.check(value, field, at: path, problems: &problems)
            if field.type == .relation, !value.isNull { relations.append((path, field, value)) }
            entry.fields[name] = value.isNull ? nil : value
        }
        for (raw, input) in (input.translations ?? [:]).sorted(by: { $0.key < $1.key }) {
            let base = "translations.\(raw.prefix(40))"
            guard let code = try? LanguageCode(raw), languages.contains(code) else {
                problems.add(base, "invalid_language", "not a language of the project")
                continue
            }
            var language = entry.language(code) ?? ContentEntryLanguage(language: code, title: "", body: nil, fields: [:], updatedAt: now, published: nil)
            let isNew = entry.language(code) == nil
            language.fields = language.fields.filter { name, _ in model.field(named: name)?.localized ?? false }
            if let title = input.title {
                if title.count > 500 { problems.add("\(base).title", "invalid_value", "a title is at most 500 characters") }
                language.title = title
            } else if isNew {
                problems.add("\(base).title", "required", "a new language needs a title")
            }
            if let body = input.body {
                if !model.includeBody {
                    problems.add("\(base).body", "invalid_value", "the model '\(model.slug)' has no body")
                } else if body.count > 1_000_000 {
                    problems.add("\(base).body", "invalid_value", "a body is at most 1000000 characters")
                }
                language.body = body
            }
            for (name, value) in (input.fields ?? [:]).sorted(by: { $0.key < $1.key }) {
                let path = "\(base).fields.\(name)"
                guard let field = model.field(named: name) else {
                    problems.add(path, "unknown_field", "the model '\(model.slug)' has no field '\(name.prefix(100))'")
                    continue
                }
                if !field.localized {
                    problems.add(path, "shared_field", "a field that is not localized is set once, in fields")
                    continue
                }
                ContentRules.check(value, field, at: path, problems: &problems)
                if field.type == .relation, !value.isNull { relations.append((path, field, value)) }
                language.fields[name] = value.isNull ? nil : value
            }
            language.updatedAt = now
            if let index = entry.languages.firstIndex(where: { $0.language == code }) {
                entry.languages[index] = language
            } else {
                entry.languages.append(language)
                entry.languages.sort { $0.language < $1.language }
            }
        }
        try await checkRelations(relations, entry: entry.id, problems: &problems, tx)
        switch input.status {
        case nil: break
        case "published": publish(&entry, Set(entry.languages.map(\.language)), model: model, now: now, problems: &problems)
        case "archived": entry.status = .archived
        case "draft":
            entry.status = .draft
            settleStatus(&entry)
        default: problems.add("status", "invalid_value", "status is draft, published or archived")
        }
    }

    /// Every relation names live entries of its field's target model.
    static func checkRelations(_ relations: [(path: String, field: ContentFieldDefinition, value: JSONValue)], entry: ContentEntryID,
                               problems: inout ContentProblems, _ tx: any ContentTransaction) async throws {
        let ids = relations.flatMap { ContentRules.relationIDs($0.value) }
        guard !ids.isEmpty else { return }
        let found = Dictionary(uniqueKeysWithValues: try await tx.entries(ids: ids).map { ($0.id, $0.modelID) })
        for relation in relations {
            for id in ContentRules.relationIDs(relation.value) where found[id] != relation.field.targetModel || id == entry {
                problems.add(relation.path, "invalid_relation",
                             found[id] == nil ? "no entry \(id.rawValue)" : "\(id.rawValue) is not an entry of the field's target model")
            }
        }
    }

    /// A time strictly after `previous`, so an edit always moves `updated_at` (and ETags).
    static func after(_ previous: Date, _ now: Date) -> Date {
        now > previous ? now : previous.addingTimeInterval(0.001)
    }

    static func conflictOnDuplicate(_ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch let error as StorageError where error.isConflict {
            throw ContentFailure.conflict("The slug is taken.")
        }
    }
}
