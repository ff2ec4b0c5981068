import MCP

/// JSON Schemas and annotations of the tools (SPEC §9). Bulk shapes are the REST API's.
extension PartnerTools {
    static let project: Value = [
        "type": "string",
        "description": "The project: its id (prj_…) or org/project slugs, like acme/web-app.",
    ]
    static let cursor: Value = ["type": "string", "description": "next_cursor of the previous page."]
    static let limit: Value = ["type": "integer", "minimum": 1, "maximum": 1000, "description": "Page size, default 100."]
    static let languageList: Value = [
        "type": "array", "items": ["type": "string", "description": "BCP 47 code, like de or pt-BR."],
    ]

    static func schema(_ properties: [String: Value], required: [String] = ["project"]) -> Value {
        ["type": "object", "properties": .object(properties), "required": .array(required.map(Value.string)), "additionalProperties": false]
    }

    static let read = Tool.Annotations(readOnlyHint: true, openWorldHint: false)
    static let write = Tool.Annotations(readOnlyHint: false, destructiveHint: false, openWorldHint: false)
    static let destructive = Tool.Annotations(readOnlyHint: false, destructiveHint: true, openWorldHint: true)
    /// Tools that may overwrite stored values (a key's description with `on_conflict: update`,
    /// translation values): destructive in MCP's sense, though nothing is deleted.
    static let overwriting = Tool.Annotations(readOnlyHint: false, destructiveHint: true, openWorldHint: false)

    public static let definitions: [Tool] = [
        Tool(name: "listProjects", title: "List projects",
             description: "Projects this token reaches, with id, org/project slugs, languages and key count. Needs projects:read.",
             inputSchema: schema(["cursor": cursor, "limit": limit], required: []), annotations: read),
        Tool(name: "getProject", title: "Get a project",
             description: "One project: languages with status, namespaces, key count and CDN manifest URL. Needs projects:read.",
             inputSchema: schema(["project": project]), annotations: read),
        Tool(name: "listKeys", title: "List keys",
             description: "Keys of a project, filtered by namespace, a search in names, or a language they lack a value in. Needs keys:read.",
             inputSchema: schema([
                 "project": project, "namespace": ["type": "string"], "search": ["type": "string"],
                 "missing_language": ["type": "string", "description": "Only keys without a value in this language."],
                 "cursor": cursor, "limit": limit,
             ]), annotations: read),
        Tool(name: "createKeys", title: "Create keys",
             description: "Create up to 1000 keys with optional initial values, all or nothing. Values are ICU MessageFormat. Needs keys:write.",
             inputSchema: schema([
                 "project": project,
                 "keys": [
                     "type": "array", "minItems": 1, "maxItems": 1000,
                     "items": [
                         "type": "object", "required": ["name"], "additionalProperties": false,
                         "properties": [
                             "name": ["type": "string"], "namespace": ["type": "string", "description": "Default: default."],
                             "description": ["type": "string"],
                             "translations": ["type": "object", "additionalProperties": ["type": "string"], "description": "language → value"],
                         ],
                     ],
                 ],
                 "on_conflict": ["type": "string", "enum": ["skip", "update", "fail"], "description": "When a key exists. Default skip."],
             ], required: ["project", "keys"]), annotations: overwriting),
        Tool(name: "deleteKeys", title: "Delete keys",
             description: "Delete up to 1000 keys by id, all or nothing; they leave the CDN at the next publish. Needs keys:write.",
             inputSchema: schema([
                 "project": project,
                 "key_ids": ["type": "array", "minItems": 1, "maxItems": 1000, "items": ["type": "string", "description": "key_…"]],
             ], required: ["project", "key_ids"]), annotations: destructive),
        Tool(name: "updateKeys", title: "Update existing keys' translations",
             description: "Change the values of existing keys, one entry per key with its values by language; all or nothing, "
                 + "saved as drafts until published. Needs translations:write.",
             inputSchema: schema([
                 "project": project,
                 "keys": [
                     "type": "array", "minItems": 1, "maxItems": 1000,
                     "items": [
                         "type": "object", "required": ["translations"], "additionalProperties": false,
                         "properties": [
                             "key_id": ["type": "string"], "name": ["type": "string"], "namespace": ["type": "string"],
                             "translations": ["type": "object", "additionalProperties": ["type": "string"], "description": "language → value"],
                         ],
                     ],
                 ],
             ], required: ["project", "keys"]), annotations: overwriting),
        Tool(name: "setTranslations", title: "Set translations",
             description: "Set up to 1000 values, each by key_id or key + namespace, all or nothing; drafts until published. "
                 + "Needs translations:write.",
             inputSchema: schema([
                 "project": project,
                 "translations": [
                     "type": "array", "minItems": 1, "maxItems": 1000,
                     "items": [
                         "type": "object", "required": ["language", "value"], "additionalProperties": false,
                         "properties": [
                             "key_id": ["type": "string"], "key": ["type": "string"], "namespace": ["type": "string"],
                             "language": ["type": "string"], "value": ["type": "string", "description": "ICU MessageFormat"],
                         ],
                     ],
                 ],
             ], required: ["project", "translations"]), annotations: overwriting),
        Tool(name: "getTranslations", title: "Get translations",
             description: "Current values, filtered by languages, namespace, keys or status (draft/published). Needs translations:read.",
             inputSchema: schema([
                 "project": project, "languages": languageList, "namespace": ["type": "string"],
                 "keys": ["type": "array", "items": ["type": "string"], "description": "Key names or ids."],
                 "status": ["type": "string", "enum": ["draft", "published"],
                            "description": "published: as in the latest release; draft: changed or never published."],
                 "cursor": cursor, "limit": limit,
             ]), annotations: read),
        Tool(name: "getPendingChanges", title: "Pending changes",
             description: "What the next publish would change per language: keys added, changed and deleted. Needs translations:read.",
             inputSchema: schema(["project": project]), annotations: read),
        Tool(name: "publishTranslations", title: "Publish to the CDN",
             description: "Publish all languages (or the listed ones) as the next immutable release on the public CDN. "
                 + "Needs translations:publish.",
             inputSchema: schema(["project": project, "languages": languageList]), annotations: destructive),
        Tool(name: "addLanguages", title: "Add languages",
             description: "Add languages (BCP 47 codes) to a project. Needs projects:write.",
             inputSchema: schema(["project": project, "languages": languageList], required: ["project", "languages"]),
             annotations: write),
        Tool(name: "exportTranslations", title: "Export a file",
             description: "The project's values as a file, returned as text: json (nested), json-flat, xcstrings, strings, stringsdict, "
                 + "android, xliff, xliff2, po or arb. Several languages or namespaces give one file each, one after the other. "
                 + "Needs translations:read.",
             inputSchema: schema([
                 "project": project, "format": formatSchema, "languages": languageList, "namespace": ["type": "string"],
                 "status": ["type": "string", "enum": ["draft", "published"], "description": "draft (default): current values; published: the latest release."],
             ], required: ["project", "format"]), annotations: read),
        Tool(name: "importTranslations", title: "Import a file",
             description: "Import a file given as text, all or nothing: any bad key or value refuses the whole file with every problem "
                 + "by line and key. Bilingual files (xliff, po) also set the source text of keys they create. "
                 + "Needs keys:write and translations:write.",
             inputSchema: schema([
                 "project": project, "format": formatSchema, "file": ["type": "string", "description": "The file's content."],
                 "language": ["type": "string", "description": "The file's language, when the file does not name it."],
                 "namespace": ["type": "string", "description": "Default: default."],
                 "on_conflict": ["type": "string", "enum": ["skip", "update"], "description": "skip (default) keeps stored values; update overwrites."],
                 "dry_run": ["type": "boolean", "description": "Check and count only."],
             ], required: ["project", "format", "file"]), annotations: overwriting),
    ] + contentDefinitions

    static let formatSchema: Value = [
        "type": "string", "enum": ["json", "json-flat", "xcstrings", "strings", "stringsdict", "android", "xliff", "xliff2", "po", "arb"],
    ]
}

/// The MCP server of Better i18n over any transport: tool listing and calls.
public enum BetterI18nMCPServer {
    public static let instructions = """
        Better i18n translation management. Find a project with listProjects (projects are named by id or org/project), \
        read keys and translations, add keys and values (drafts), check getPendingChanges, then publishTranslations to \
        put them on the public CDN. Structured content (blog posts, pages) lives in content models: listContentModels, \
        createContentEntry, publishContentEntry. Errors name the REST error code, like missing_scope with the scope needed.
        """

    public static func make(api: any PartnerAPI, version: String) async -> Server {
        let server = Server(
            name: "better-i18n", version: version, title: "Better i18n", instructions: instructions,
            capabilities: .init(tools: .init(listChanged: false))
        )
        let tools = PartnerTools(api: api)
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: PartnerTools.definitions)
        }
        await server.withMethodHandler(CallTool.self) { parameters in
            await tools.call(parameters.name, arguments: parameters.arguments)
        }
        return server
    }
}
