import BetterI18nCore
import Foundation

/// The partner API as OpenAPI 3.1 (SPEC §6.2), served at `GET /api/oauth-client/v1/openapi.json`.
///
/// ``operations`` is the single list of partner endpoints with their scopes; a test calls every
/// one of them against the running router to prove the document and the server agree.
enum OpenAPIDocument {
    struct Operation {
        let method: String
        /// OpenAPI path template, `{name}` for parameters.
        let path: String
        let id: String
        let summary: String
        /// The scope the route needs; nil for routes that need a token but no scope.
        let scope: Scope?
        /// Which token kinds the route takes.
        let tokens: [TokenKindName]
        let success: Int
        let body: Bool

        enum TokenKindName: String { case access = "access token", installation = "installation token" }
    }

    static let operations: [Operation] = [
        .init(method: "post", path: "/api/oauth-client/installations/{grantId}/tokens", id: "mintInstallationToken",
              summary: "Mint a 1-hour installation token, optionally narrowed", scope: nil, tokens: [.access], success: 201, body: true),
        .init(method: "delete", path: "/api/oauth-client/installations/{grantId}", id: "uninstall",
              summary: "Uninstall: revoke the grant and every token of it", scope: nil, tokens: [.access], success: 204, body: false),
        .init(method: "get", path: "/api/oauth-client/me", id: "me",
              summary: "The user, grant and token behind a token", scope: nil, tokens: [.access, .installation], success: 200, body: false),
        .init(method: "get", path: "/api/oauth-client/organizations", id: "listOrganizations",
              summary: "The grant's organization", scope: .orgRead, tokens: [.installation], success: 200, body: false),
        .init(method: "get", path: "/api/oauth-client/organizations/{orgId}/projects", id: "listProjects",
              summary: "Projects of the organization the token reaches", scope: .projectsRead, tokens: [.installation], success: 200, body: false),
        .init(method: "post", path: "/api/oauth-client/v1/projects", id: "createProject",
              summary: "Create a project (token must cover all projects)", scope: .projectsWrite, tokens: [.installation], success: 201, body: true),
        .init(method: "get", path: "/api/oauth-client/v1/projects/{projectId}", id: "getProject",
              summary: "A project with languages, namespaces, key count and CDN manifest URL", scope: .projectsRead,
              tokens: [.installation], success: 200, body: false),
        .init(method: "post", path: "/api/oauth-client/v1/projects/{projectId}/languages", id: "addLanguage",
              summary: "Add a language (BCP 47)", scope: .projectsWrite, tokens: [.installation], success: 201, body: true),
        .init(method: "get", path: "/api/oauth-client/v1/projects/{projectId}/keys", id: "listKeys",
              summary: "Keys, filtered by namespace, search or missing language", scope: .keysRead, tokens: [.installation], success: 200, body: false),
        .init(method: "post", path: "/api/oauth-client/v1/projects/{projectId}/keys", id: "createKeys",
              summary: "Create up to 1000 keys, all or nothing, with on_conflict skip|update|fail", scope: .keysWrite,
              tokens: [.installation], success: 201, body: true),
        .init(method: "patch", path: "/api/oauth-client/v1/projects/{projectId}/keys/{keyId}", id: "updateKey",
              summary: "Rename, move or describe a key", scope: .keysWrite, tokens: [.installation], success: 200, body: true),
        .init(method: "delete", path: "/api/oauth-client/v1/projects/{projectId}/keys", id: "deleteKeys",
              summary: "Soft-delete up to 1000 keys, all or nothing", scope: .keysWrite, tokens: [.installation], success: 200, body: true),
        .init(method: "get", path: "/api/oauth-client/v1/projects/{projectId}/translations", id: "listTranslations",
              summary: "Translations, filtered by languages, namespace or keys", scope: .translationsRead,
              tokens: [.installation], success: 200, body: false),
        .init(method: "put", path: "/api/oauth-client/v1/projects/{projectId}/translations", id: "setTranslations",
              summary: "Set up to 1000 values (ICU MessageFormat checked), all or nothing", scope: .translationsWrite,
              tokens: [.installation], success: 200, body: true),
        .init(method: "get", path: "/api/oauth-client/v1/projects/{projectId}/pending-changes", id: "getPendingChanges",
              summary: "Keys added, changed and deleted per language since the last release", scope: .translationsRead,
              tokens: [.installation], success: 200, body: false),
        .init(method: "post", path: "/api/oauth-client/v1/projects/{projectId}/publish", id: "publishTranslations",
              summary: "Publish all languages (or the listed ones) as the next immutable release on the CDN",
              scope: .translationsPublish, tokens: [.installation], success: 201, body: false),
        .init(method: "get", path: "/api/oauth-client/v1/projects/{projectId}/releases", id: "listReleases",
              summary: "Releases, newest first, with their manifest URLs", scope: .translationsRead,
              tokens: [.installation], success: 200, body: false),
        .init(method: "get", path: "/api/oauth-client/v1/glossary", id: "listGlossary",
              summary: "The organization's glossary terms", scope: .glossaryRead, tokens: [.installation], success: 200, body: false),
        .init(method: "put", path: "/api/oauth-client/v1/glossary/terms", id: "upsertGlossaryTerms",
              summary: "Upsert up to 1000 glossary terms by term", scope: .glossaryWrite, tokens: [.installation], success: 200, body: true),
    ]

    /// Errors every operation may answer (SPEC §6.3).
    private static let errorResponses: [String: String] = [
        "400": "invalid_request, invalid_scope or invalid_project",
        "401": "invalid_token: missing, malformed, expired or wrong-kind token",
        "403": "missing_scope (with `required`), wrong_organization or project_not_granted",
        "404": "not_found or grant_not_found",
        "409": "conflict",
        "410": "grant_revoked",
        "413": "payload_too_large (over 5 MiB)",
        "415": "unsupported_media_type",
        "422": "validation_failed, with per-item `errors`",
        "429": "rate_limited, with Retry-After",
    ]

    static func json(apiURL: String) -> Data {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            var responses: [String: Any] = [
                String(operation.success): ["description": "Success"],
            ]
            for (status, description) in errorResponses {
                responses[status] = ["description": description,
                                     "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
            }
            var entry: [String: Any] = [
                "operationId": operation.id,
                "summary": operation.summary,
                "description": "Takes: " + operation.tokens.map(\.rawValue).joined(separator: " or ") + "."
                    + (operation.scope.map { " Scope: `\($0.rawValue)`." } ?? " No scope needed."),
                "security": [["bearer": operation.scope.map { [$0.rawValue] } ?? []]],
                "x-required-scope": operation.scope?.rawValue ?? NSNull(),
                "responses": responses,
            ]
            let parameters = parameterNames(operation.path).map { name -> [String: Any] in
                ["name": name, "in": "path", "required": true, "schema": ["type": "string"]]
            }
            if !parameters.isEmpty { entry["parameters"] = parameters }
            if operation.body {
                entry["requestBody"] = ["required": operation.method != "post" || operation.id != "mintInstallationToken",
                                        "content": ["application/json": ["schema": ["type": "object"]]]]
            }
            paths[operation.path, default: [:]][operation.method] = entry
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Better i18n partner API", "version": "1.0.0",
                     "description": "Reached with OAuth installation tokens (bi_oat_…). See SPEC §6."],
            "servers": [["url": apiURL]],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer",
                                               "description": "Authorization: Bearer bi_oat_… (or x-api-key)"]],
                "schemas": ["Error": [
                    "type": "object", "required": ["error", "error_description"],
                    "properties": [
                        "error": ["type": "string"], "error_description": ["type": "string"],
                        "required": ["type": "string"], "errors": ["type": "array", "items": ["type": "object"]],
                    ],
                ]],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    static func parameterNames(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }
}
