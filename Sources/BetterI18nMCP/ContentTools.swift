import BetterI18nAPI
import Foundation
import MCP

/// The Content CMS tools of SPEC §10, with Better i18n's argument names (`project`,
/// `modelSlug`, `entryId`, `slug`, `status`, `fields`, `translations`). Each checks the
/// token's scope first (from `/me`, which needs none), so a token without it hears
/// `missing_scope` whatever its arguments, then makes the REST calls of the partner API.
extension PartnerTools {
    static let modelSlug: Value = ["type": "string", "description": "The model's slug (or its cmd_ id), like blog."]
    static let entryID: Value = ["type": "string", "description": "The entry's id, ent_…"]
    static let entryFields: Value = [
        "type": "object", "description": "Values of the model's shared (not localized) fields, by field name; null clears one.",
    ]
    static let entryTranslations: Value = [
        "type": "object",
        "description": "language → {title, body?, fields?: localized field values}. A new language needs a title.",
        "additionalProperties": [
            "type": "object", "additionalProperties": false,
            "properties": ["title": ["type": "string"], "body": ["type": "string", "description": "Markdown"], "fields": ["type": "object"]],
        ],
    ]
    static let entryStatus: Value = [
        "type": "string", "enum": ["draft", "published", "archived"],
        "description": "published publishes every language (needs content:publish); archived hides the entry.",
    ]

    static let contentDefinitions: [Tool] = [
        Tool(name: "listContentModels", title: "List content models",
             description: "Content models of a project (blog, changelog, pages…) with their fields and entry counts. Needs content:read.",
             inputSchema: schema(["project": project]), annotations: read),
        Tool(name: "getContentModel", title: "Get a content model",
             description: "One content model with its fields: names, types, localized, required. Needs content:read.",
             inputSchema: schema(["project": project, "modelSlug": modelSlug], required: ["project", "modelSlug"]), annotations: read),
        Tool(name: "createContentModel", title: "Create a content model",
             description: "Create a model with its fields. Field types: text, textarea, richtext, number, boolean, date, datetime, "
                 + "enum (enum_values), media (https URL), relation (target_model, multiple). Needs content:write.",
             inputSchema: schema([
                 "project": project, "slug": ["type": "string", "description": "a-z, 0-9 and -"],
                 "displayName": ["type": "string"], "description": ["type": "string"],
                 "kind": ["type": "string", "enum": ["collection", "single"]], "includeBody": ["type": "boolean"],
                 "fields": ["type": "array", "items": ["type": "object", "description": "As addContentField's arguments (name, type, …)."]],
             ], required: ["project", "slug"]), annotations: write),
        Tool(name: "addContentField", title: "Add a field to a model",
             description: "Add one field to a content model. Needs content:write.",
             inputSchema: schema([
                 "project": project, "modelSlug": modelSlug, "name": ["type": "string", "description": "a-z, 0-9 and _"],
                 "type": ["type": "string", "enum": .array(ContentField.fieldTypes.map(Value.string))],
                 "displayName": ["type": "string"], "localized": ["type": "boolean"], "required": ["type": "boolean"],
                 "helpText": ["type": "string"],
                 "enumValues": ["type": "array", "items": ["type": "object", "properties": ["label": ["type": "string"], "value": ["type": "string"]]]],
                 "targetModel": ["type": "string", "description": "For relations: the target model's slug."],
                 "multiple": ["type": "boolean", "description": "For relations: a list of entries."],
             ], required: ["project", "modelSlug", "name", "type"]), annotations: write),
        Tool(name: "listContentEntries", title: "List content entries",
             description: "Entries of a model with their status and languages, filtered and sorted. Needs content:read.",
             inputSchema: schema([
                 "project": project, "modelSlug": modelSlug, "status": entryStatus, "language": ["type": "string"],
                 "search": ["type": "string", "description": "In titles."],
                 "sort": ["type": "string", "enum": ["updated_at", "created_at", "published_at", "title"]],
                 "order": ["type": "string", "enum": ["asc", "desc"]], "cursor": cursor, "limit": limit,
             ], required: ["project", "modelSlug"]), annotations: read),
        Tool(name: "getContentEntry", title: "Get a content entry",
             description: "One entry with its shared values and every language's working copy and publish state. Needs content:read.",
             inputSchema: schema(["project": project, "entryId": entryID], required: ["project", "entryId"]), annotations: read),
        Tool(name: "createContentEntry", title: "Create a content entry",
             description: "Create an entry of a model; values are checked against their field types. Saved as a draft unless "
                 + "status is published (needs content:publish). Needs content:write.",
             inputSchema: schema([
                 "project": project, "modelSlug": modelSlug, "slug": ["type": "string", "description": "a-z, 0-9 and -, unique in the model"],
                 "status": entryStatus, "sourceLanguage": ["type": "string"], "fields": entryFields, "translations": entryTranslations,
             ], required: ["project", "modelSlug", "slug", "translations"]), annotations: write),
        Tool(name: "updateContentEntry", title: "Update a content entry",
             description: "Change an entry's slug, values or languages; what is not given stays. Edits are drafts until published. "
                 + "Needs content:write (and content:publish for status published).",
             inputSchema: schema([
                 "project": project, "entryId": entryID, "slug": ["type": "string"], "status": entryStatus,
                 "fields": entryFields, "translations": entryTranslations,
             ], required: ["project", "entryId"]), annotations: overwriting),
        Tool(name: "publishContentEntry", title: "Publish a content entry",
             description: "Publish an entry's languages (all, or the listed ones) to the public Content API. Needs content:publish.",
             inputSchema: schema(["project": project, "entryId": entryID, "languages": languageList], required: ["project", "entryId"]),
             annotations: destructive),
        Tool(name: "unpublishContentEntry", title: "Unpublish a content entry",
             description: "Remove an entry's published languages (all, or the listed ones) from the public Content API. Needs content:publish.",
             inputSchema: schema(["project": project, "entryId": entryID, "languages": languageList], required: ["project", "entryId"]),
             annotations: destructive),
        Tool(name: "deleteContentEntry", title: "Delete a content entry",
             description: "Delete an entry and all its languages. Needs content:write.",
             inputSchema: schema(["project": project, "entryId": entryID], required: ["project", "entryId"]), annotations: destructive),
    ]

    /// Runs a content tool, or nil when `name` is not one.
    func callContent(_ name: String, _ call: ToolCall) async throws -> String? {
        switch name {
        case "listContentModels": try await call.listContentModels()
        case "getContentModel": try await call.getContentModel()
        case "createContentModel": try await call.createContentModel()
        case "addContentField": try await call.addContentField()
        case "listContentEntries": try await call.listContentEntries()
        case "getContentEntry": try await call.getContentEntry()
        case "createContentEntry": try await call.createContentEntry()
        case "updateContentEntry": try await call.updateContentEntry()
        case "publishContentEntry": try await call.publishContentEntry(publish: true)
        case "unpublishContentEntry": try await call.publishContentEntry(publish: false)
        case "deleteContentEntry": try await call.deleteContentEntry()
        default: nil
        }
    }
}

extension ToolCall {
    /// The scope check that comes before the arguments (SPEC §10): the token's own scopes, from `/me`.
    func requireScope(_ scope: String) async throws {
        let me = try await call(Endpoints.me, as: Me.self)
        guard me.token.scopes.contains(scope) else {
            throw ToolFailure(code: "missing_scope", message: "This token lacks the \(scope) scope. Required scope: \(scope).")
        }
    }

    func value(_ name: String) -> Value? {
        guard let value = arguments[name], !value.isNull else { return nil }
        return value
    }

    func object(_ name: String) throws -> Value? {
        guard let value = value(name) else { return nil }
        guard value.objectValue != nil else { throw ToolFailure.invalidArguments("\(name) must be an object.") }
        return value
    }

    /// Argument names of the tools to the REST body's (`displayName` → `display_name`, …).
    static let restNames = [
        "displayName": "display_name", "includeBody": "include_body", "helpText": "help_text", "enumValues": "enum_values",
        "targetModel": "target_model", "sourceLanguage": "source_language",
    ]

    static func restField(_ value: Value) -> Value {
        guard let object = value.objectValue else { return value }
        return .object(Dictionary(uniqueKeysWithValues: object.map { (restNames[$0.key] ?? $0.key, $0.value) }))
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func describe(_ model: ContentModel) -> String {
        "\(model.id) \(model.slug) \"\(model.displayName)\" (\(model.kind), \(model.entryCount) entries) — fields: "
            + (model.fields.isEmpty ? "none" : model.fields.map { field in
                "\(field.name): \(field.type)\(field.localized ? ", localized" : "")\(field.required ? ", required" : "")"
                    + (field.targetModel.map { " → \($0)" } ?? "")
            }.joined(separator: "; "))
    }

    static func describe(_ entry: ContentEntry) -> String {
        let languages = entry.translations.keys.sorted().map { "\($0) \(entry.translations[$0]!.status)" }.joined(separator: ", ")
        return "\(entry.id) \(entry.model)/\(entry.slug) — \(entry.status); languages: \(languages)\n" + json(entry)
    }

    func listContentModels() async throws -> String {
        try await requireScope("content:read")
        let page = try await call(Endpoints.listContentModels, ["projectId": try await projectID()], query: [("limit", "1000")],
                                  as: ListPage<ContentModel>.self)
        if page.items.isEmpty { return "No content models yet; createContentModel makes one." }
        return "\(page.items.count) model(s):\n" + page.items.map { "- " + Self.describe($0) }.joined(separator: "\n")
    }

    func getContentModel() async throws -> String {
        try await requireScope("content:read")
        let id = try await projectID()
        let model = try await call(Endpoints.getContentModel, ["projectId": id, "model": try requiredString("modelSlug")], as: ContentModel.self)
        return Self.describe(model) + "\n" + Self.json(model)
    }

    func createContentModel() async throws -> String {
        try await requireScope("content:write")
        let id = try await projectID()
        var body: [String: Value] = ["slug": .string(try requiredString("slug"))]
        for name in ["displayName", "description", "kind", "includeBody"] {
            if let value = value(name) { body[Self.restNames[name] ?? name] = value }
        }
        if let fields = try array("fields", required: false) { body["fields"] = .array(fields.map(Self.restField)) }
        let model = try await call(Endpoints.createContentModel, ["projectId": id], body: Value.object(body), as: ContentModel.self)
        return "Created model " + Self.describe(model)
    }

    func addContentField() async throws -> String {
        try await requireScope("content:write")
        let id = try await projectID()
        let model = try requiredString("modelSlug")
        var body: [String: Value] = [:]
        for name in ["name", "type", "displayName", "localized", "required", "helpText", "enumValues", "targetModel", "multiple"] {
            if let value = value(name) { body[Self.restNames[name] ?? name] = value }
        }
        let changed = try await call(Endpoints.addContentField, ["projectId": id, "model": model], body: Value.object(body), as: ContentModel.self)
        return "Added field. " + Self.describe(changed)
    }

    func listContentEntries() async throws -> String {
        try await requireScope("content:read")
        let id = try await projectID()
        var query = try pageQuery
        for name in ["status", "language", "search", "sort", "order"] {
            if let value = try string(name) { query.append((name, value)) }
        }
        let page = try await call(Endpoints.listContentEntries, ["projectId": id, "model": try requiredString("modelSlug")], query: query,
                                  as: ListPage<ContentEntry>.self)
        if page.items.isEmpty { return "No entries match." + Self.more(page) }
        return "\(page.items.count) entr\(page.items.count == 1 ? "y" : "ies"):\n" + page.items.map { entry in
            let title = entry.translations[entry.sourceLanguage]?.title ?? entry.translations.values.first?.title ?? ""
            return "- \(entry.id) \(entry.slug) \"\(title)\" — \(entry.status); languages \(entry.translations.keys.sorted().joined(separator: ", "))"
        }.joined(separator: "\n") + Self.more(page)
    }

    func getContentEntry() async throws -> String {
        try await requireScope("content:read")
        let id = try await projectID()
        return Self.describe(try await call(Endpoints.getContentEntry, ["projectId": id, "entryId": try requiredString("entryId")],
                                            as: ContentEntry.self))
    }

    /// The REST body of a create or update from the tool's arguments.
    private func entryBody() throws -> [String: Value] {
        var body: [String: Value] = [:]
        if let slug = try string("slug") { body["slug"] = .string(slug) }
        if let status = try string("status") { body["status"] = .string(status) }
        if let source = try string("sourceLanguage") { body["source_language"] = .string(source) }
        if let fields = try object("fields") { body["fields"] = fields }
        if let translations = try object("translations") { body["translations"] = translations }
        return body
    }

    func createContentEntry() async throws -> String {
        try await requireScope("content:write")
        if try string("status") == "published" { try await requireScope("content:publish") }
        let id = try await projectID()
        let entry = try await call(Endpoints.createContentEntry, ["projectId": id, "model": try requiredString("modelSlug")],
                                   body: Value.object(try entryBody()), as: ContentEntry.self)
        return "Created " + Self.describe(entry)
    }

    func updateContentEntry() async throws -> String {
        try await requireScope("content:write")
        if try string("status") == "published" { try await requireScope("content:publish") }
        let id = try await projectID()
        let entry = try await call(Endpoints.updateContentEntry, ["projectId": id, "entryId": try requiredString("entryId")],
                                   body: Value.object(try entryBody()), as: ContentEntry.self)
        return "Updated " + Self.describe(entry)
    }

    func publishContentEntry(publish: Bool) async throws -> String {
        try await requireScope("content:publish")
        let id = try await projectID()
        let endpoint = publish ? Endpoints.publishContentEntry : Endpoints.unpublishContentEntry
        let entry = try await call(endpoint, ["projectId": id, "entryId": try requiredString("entryId")],
                                   body: ContentLanguagesRequest(languages: try strings("languages", required: false)), as: ContentEntry.self,
                                   itemLabel: { "languages[\($0)]" })
        return (publish ? "Published " : "Unpublished ") + Self.describe(entry)
    }

    func deleteContentEntry() async throws -> String {
        try await requireScope("content:write")
        let id = try await projectID()
        let entryID = try requiredString("entryId")
        let response = try await api.send(PartnerAPIRequest(
            method: "DELETE", path: Endpoints.deleteContentEntry.path(["projectId": id, "entryId": entryID]), query: [], body: nil
        ))
        guard (200..<300).contains(response.status) else { throw ToolFailure(response: response) }
        return "Deleted entry \(entryID)."
    }
}
