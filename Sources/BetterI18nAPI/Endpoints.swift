import Foundation

/// One route of the partner API: method, path template, the token kinds and scope it takes,
/// and its body types. ``Endpoints/all`` is the single list the server registers its routes
/// from, the OpenAPI document is rendered from, and the client builds its requests from.
public struct Endpoint: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE" }

    /// Which credentials a route takes: OAuth access tokens only mint and uninstall.
    public enum TokenKind: String, Sendable { case access = "access token", installation = "installation token" }

    public struct QueryParameter: Sendable {
        public let name: String
        public let description: String
    }

    public let method: Method
    /// `{name}` for path parameters: `/api/oauth-client/v1/projects/{projectId}/keys`.
    public let path: String
    public let operationID: String
    public let summary: String
    /// The scope the route needs; nil for routes that need a token but no scope.
    public let scope: String?
    public let tokens: [TokenKind]
    public let success: Int
    /// The request body's component name, and whether a body is required.
    public let request: (name: String, required: Bool)?
    /// The success body's schema; nil for `204`.
    public let response: Schema?
    public let query: [QueryParameter]
    /// The body is a file of any media type (an import), not JSON.
    public let takesFile: Bool
    /// The success answer is a file (an export), not JSON; ``response`` is then nil.
    public let answersFile: Bool

    init(_ method: Method, _ path: String, _ operationID: String, _ summary: String, scope: String?,
         tokens: [TokenKind] = [.installation], success: Int = 200, request: (any APIType.Type)? = nil, requestRequired: Bool = true,
         response: Schema?, query: [(String, String)] = [], takesFile: Bool = false, answersFile: Bool = false) {
        self.takesFile = takesFile
        self.answersFile = answersFile
        self.method = method
        self.path = path
        self.operationID = operationID
        self.summary = summary
        self.scope = scope
        self.tokens = tokens
        self.success = success
        self.request = request.map { ($0.schemaName, requestRequired) }
        self.response = response
        self.query = query.map { QueryParameter(name: $0.0, description: $0.1) }
    }

    /// The names of the path parameters, in order.
    public var parameterNames: [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    /// The path with its parameters filled in (each percent-encoded as a path segment).
    public func path(_ values: [String: String]) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard segment.hasPrefix("{"), let value = values[String(segment.dropFirst().dropLast())] else { return String(segment) }
            return value.addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? value
        }.joined(separator: "/")
    }
}

extension CharacterSet {
    /// Unreserved and sub-delims, without `/`: what a single path segment may hold unescaped.
    static let urlPathSegmentAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/")
        return set
    }()
}

/// Every partner endpoint (the API origin's `/api/oauth-client/…`).
public enum Endpoints {
    public static let mintInstallationToken = Endpoint(
        .post, "/api/oauth-client/installations/{grantId}/tokens", "mintInstallationToken",
        "Mint a 1-hour installation token, optionally narrowed", scope: nil, tokens: [.access], success: 201,
        request: InstallationTokenRequest.self, requestRequired: false, response: .ref(InstallationToken.self))
    public static let uninstall = Endpoint(
        .delete, "/api/oauth-client/installations/{grantId}", "uninstall",
        "Uninstall: revoke the grant and every token of it", scope: nil, tokens: [.access], success: 204, response: nil)
    public static let me = Endpoint(
        .get, "/api/oauth-client/me", "me", "The user, grant and token behind a token", scope: nil,
        tokens: [.access, .installation], response: .ref(Me.self))
    public static let listOrganizations = Endpoint(
        .get, "/api/oauth-client/organizations", "listOrganizations", "The grant's organization", scope: "org:read",
        response: ListPage<Organization>.schema)
    public static let listProjects = Endpoint(
        .get, "/api/oauth-client/organizations/{orgId}/projects", "listProjects", "Projects of the organization the token reaches",
        scope: "projects:read", response: ListPage<Project>.schema, query: page)
    public static let createProject = Endpoint(
        .post, "/api/oauth-client/v1/projects", "createProject", "Create a project (token must cover all projects)",
        scope: "projects:write", success: 201, request: CreateProjectRequest.self, response: .ref(Project.self))
    public static let getProject = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}", "getProject",
        "A project with languages, namespaces, key count and CDN manifest URL", scope: "projects:read", response: .ref(Project.self))
    public static let addLanguage = Endpoint(
        .post, "/api/oauth-client/v1/projects/{projectId}/languages", "addLanguage", "Add a language (BCP 47)",
        scope: "projects:write", success: 201, request: AddLanguageRequest.self, response: .ref(Project.self))
    public static let listKeys = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}/keys", "listKeys", "Keys, filtered by namespace, search or missing language",
        scope: "keys:read", response: ListPage<Key>.schema, query: [
            ("namespace", "only keys of this namespace"), ("search", "case-insensitive substring of the key name"),
            ("missing_language", "only keys without a value in this language"),
        ] + page)
    public static let createKeys = Endpoint(
        .post, "/api/oauth-client/v1/projects/{projectId}/keys", "createKeys",
        "Create up to 1000 keys, all or nothing, with on_conflict skip|update|fail", scope: "keys:write", success: 201,
        request: CreateKeysRequest.self, response: .ref(KeysResult.self))
    public static let updateKey = Endpoint(
        .patch, "/api/oauth-client/v1/projects/{projectId}/keys/{keyId}", "updateKey", "Rename, move or describe a key",
        scope: "keys:write", request: UpdateKeyRequest.self, response: .ref(Key.self))
    public static let deleteKeys = Endpoint(
        .delete, "/api/oauth-client/v1/projects/{projectId}/keys", "deleteKeys", "Soft-delete up to 1000 keys, all or nothing",
        scope: "keys:write", request: DeleteKeysRequest.self, response: .ref(DeletedCount.self))
    public static let listTranslations = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}/translations", "listTranslations",
        "Translations, filtered by languages, namespace, keys or status", scope: "translations:read",
        response: ListPage<Translation>.schema, query: [
            ("languages", "comma-separated language codes"), ("namespace", "only values of this namespace"),
            ("keys", "comma-separated key names or ids"), ("status", "draft or published (against the latest release)"),
        ] + page)
    public static let setTranslations = Endpoint(
        .put, "/api/oauth-client/v1/projects/{projectId}/translations", "setTranslations",
        "Set up to 1000 values (ICU MessageFormat checked), all or nothing", scope: "translations:write",
        request: SetTranslationsRequest.self, response: .ref(UpdatedCount.self))
    public static let pendingChanges = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}/pending-changes", "getPendingChanges",
        "Keys added, changed and deleted per language since the last release", scope: "translations:read",
        response: .ref(PendingChanges.self))
    public static let publish = Endpoint(
        .post, "/api/oauth-client/v1/projects/{projectId}/publish", "publishTranslations",
        "Publish all languages (or the listed ones) as the next immutable release on the CDN", scope: "translations:publish",
        success: 201, request: PublishRequest.self, requestRequired: false, response: .ref(Release.self))
    public static let listReleases = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}/releases", "listReleases", "Releases, newest first, with their manifest URLs",
        scope: "translations:read", response: ListPage<Release>.schema, query: page)
    public static let listGlossary = Endpoint(
        .get, "/api/oauth-client/v1/glossary", "listGlossary", "The organization's glossary terms", scope: "glossary:read",
        response: ListPage<GlossaryTerm>.schema, query: page)
    public static let upsertGlossaryTerms = Endpoint(
        .put, "/api/oauth-client/v1/glossary/terms", "upsertGlossaryTerms", "Upsert up to 1000 glossary terms by term",
        scope: "glossary:write", request: UpsertTermsRequest.self, response: ListPage<GlossaryTerm>.schema)

    // MARK: Content CMS (SPEC §10); `{model}` is a model's slug or `cmd_` id.

    public static let listContentModels = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}/content/models", "listContentModels", "Content models of the project with their fields",
        scope: "content:read", response: ListPage<ContentModel>.schema, query: page)
    public static let listContentModelsBySlug = Endpoint(
        .get, "/api/oauth-client/organizations/{orgId}/projects/{projectSlug}/models", "listContentModelsBySlug",
        "Content models of a project named by organization slug (or id) and project slug, as Better i18n names it", scope: "content:read",
        response: ListPage<ContentModel>.schema, query: page)
    public static let createContentModel = Endpoint(
        .post, "/api/oauth-client/v1/projects/{projectId}/content/models", "createContentModel", "Create a content model with its fields",
        scope: "content:write", success: 201, request: NewContentModel.self, response: .ref(ContentModel.self))
    public static let getContentModel = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}/content/models/{model}", "getContentModel", "A content model",
        scope: "content:read", response: .ref(ContentModel.self))
    public static let updateContentModel = Endpoint(
        .patch, "/api/oauth-client/v1/projects/{projectId}/content/models/{model}", "updateContentModel",
        "Change a model's display name, description or body setting", scope: "content:write",
        request: ContentModelUpdate.self, response: .ref(ContentModel.self))
    public static let deleteContentModel = Endpoint(
        .delete, "/api/oauth-client/v1/projects/{projectId}/content/models/{model}", "deleteContentModel",
        "Delete a model (with entries only with cascade=true)", scope: "content:write", success: 204, response: nil,
        query: [("cascade", "true to delete the model's entries too")])
    public static let addContentField = Endpoint(
        .post, "/api/oauth-client/v1/projects/{projectId}/content/models/{model}/fields", "addContentField", "Add a field to a model",
        scope: "content:write", success: 201, request: NewContentField.self, response: .ref(ContentModel.self))
    public static let updateContentField = Endpoint(
        .patch, "/api/oauth-client/v1/projects/{projectId}/content/models/{model}/fields/{name}", "updateContentField",
        "Change a field's display name, required flag, help text or enum values", scope: "content:write",
        request: ContentFieldUpdate.self, response: .ref(ContentModel.self))
    public static let deleteContentField = Endpoint(
        .delete, "/api/oauth-client/v1/projects/{projectId}/content/models/{model}/fields/{name}", "deleteContentField",
        "Remove a field from a model", scope: "content:write", response: .ref(ContentModel.self))
    public static let listContentEntries = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}/content/models/{model}/entries", "listContentEntries",
        "Entries of a model, filtered and sorted", scope: "content:read", response: ListPage<ContentEntry>.schema, query: [
            ("language", "only entries with this language"), ("status", "draft, published or archived"),
            ("search", "case-insensitive substring of a title"), ("filter[<field>]", "entries whose field has this value"),
            ("sort", "updated_at (default), created_at, published_at or title"), ("order", "desc (default) or asc"),
        ] + page)
    public static let createContentEntry = Endpoint(
        .post, "/api/oauth-client/v1/projects/{projectId}/content/models/{model}/entries", "createContentEntry",
        "Create an entry (status published also needs content:publish)", scope: "content:write", success: 201,
        request: ContentEntryWrite.self, response: .ref(ContentEntry.self))
    public static let getContentEntry = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}/content/entries/{entryId}", "getContentEntry", "An entry with every language",
        scope: "content:read", response: .ref(ContentEntry.self))
    public static let updateContentEntry = Endpoint(
        .patch, "/api/oauth-client/v1/projects/{projectId}/content/entries/{entryId}", "updateContentEntry",
        "Change an entry's working copies (status published also needs content:publish)", scope: "content:write",
        request: ContentEntryWrite.self, response: .ref(ContentEntry.self))
    public static let deleteContentEntry = Endpoint(
        .delete, "/api/oauth-client/v1/projects/{projectId}/content/entries/{entryId}", "deleteContentEntry", "Delete an entry",
        scope: "content:write", success: 204, response: nil)
    public static let publishContentEntry = Endpoint(
        .post, "/api/oauth-client/v1/projects/{projectId}/content/entries/{entryId}/publish", "publishContentEntry",
        "Publish the entry's languages (all, or the listed ones)", scope: "content:publish", request: ContentLanguagesRequest.self,
        requestRequired: false, response: .ref(ContentEntry.self))
    public static let unpublishContentEntry = Endpoint(
        .post, "/api/oauth-client/v1/projects/{projectId}/content/entries/{entryId}/unpublish", "unpublishContentEntry",
        "Remove the published snapshots of the entry's languages (all, or the listed ones)", scope: "content:publish",
        request: ContentLanguagesRequest.self, requestRequired: false, response: .ref(ContentEntry.self))
    public static let exportTranslations = Endpoint(
        .get, "/api/oauth-client/v1/projects/{projectId}/export", "exportTranslations",
        "Export values as a file (json, json-flat, xcstrings, strings, stringsdict, android, xliff, xliff2, po, arb); "
            + "several files come as a zip", scope: "translations:read", response: nil, query: [
            ("format", "json, json-flat, xcstrings, strings, stringsdict, android, xliff, xliff2, po or arb (required)"),
            ("languages", "comma-separated language codes; default all"), ("namespace", "one namespace; default all"),
            ("status", "draft (current values, the default) or published (the latest release)"),
        ], answersFile: true)
    public static let importTranslations = Endpoint(
        .post, "/api/oauth-client/v1/projects/{projectId}/import", "importTranslations",
        "Import a file, all or nothing (needs translations:write too); the body is the file, any content type",
        scope: "keys:write", response: .ref(ImportResult.self), query: [
            ("format", "the file's format (required)"), ("language", "the file's language, when the file does not name it"),
            ("namespace", "default: default"), ("on_conflict", "skip (keep stored values, the default) or update"),
            ("dry_run", "true: check and count, write nothing"),
        ], takesFile: true)

    private static var page: [(String, String)] {
        [("cursor", "next_cursor of the previous page"), ("limit", "1–1000, default 100")]
    }

    public static let all: [Endpoint] = [
        mintInstallationToken, uninstall, me, listOrganizations, listProjects, createProject, getProject, addLanguage,
        listKeys, createKeys, updateKey, deleteKeys, listTranslations, setTranslations, pendingChanges, publish,
        listReleases, listGlossary, upsertGlossaryTerms,
        listContentModels, listContentModelsBySlug, createContentModel, getContentModel, updateContentModel, deleteContentModel,
        addContentField, updateContentField, deleteContentField, listContentEntries, createContentEntry, getContentEntry,
        updateContentEntry, deleteContentEntry, publishContentEntry, unpublishContentEntry,
        exportTranslations, importTranslations,
    ]

    /// Every named body type, for the document's components.
    public static let components: [any APIType.Type] = [
        ErrorBody.self, TokenResponse.self, InstallationTokenRequest.self, InstallationToken.self, Me.self, Organization.self,
        Project.self, CreateProjectRequest.self, AddLanguageRequest.self, Key.self, NewKey.self, CreateKeysRequest.self,
        KeysResult.self, UpdateKeyRequest.self, DeleteKeysRequest.self, DeletedCount.self, Translation.self,
        TranslationValue.self, SetTranslationsRequest.self, UpdatedCount.self, PendingChanges.self, PublishRequest.self,
        Release.self, GlossaryTerm.self, NewTerm.self, UpsertTermsRequest.self,
        ContentField.self, NewContentField.self, ContentFieldUpdate.self, ContentModel.self, NewContentModel.self,
        ContentModelUpdate.self, ContentEntry.self, ContentEntryWrite.self, ContentLanguagesRequest.self,
        ImportResult.self,
    ]
}
