import BetterI18nAPI
import Foundation

/// The partner API as OpenAPI 3.1 (SPEC §6.2), served at `GET /api/oauth-client/v1/openapi.json`,
/// rendered from `BetterI18nAPI`'s endpoint list and body schemas — the same descriptors the
/// server registers its routes from and the client builds its requests from. A test calls every
/// operation against the running router and checks real answers against their schemas.
enum OpenAPIDocument {
    /// Errors every operation may answer (SPEC §6.3), by status, from the one list of codes.
    private static var errorResponses: [String: String] {
        let partnerCodes: [ErrorCode] = [
            .invalidRequest, .invalidScope, .invalidProject, .invalidToken, .missingScope, .wrongOrganization,
            .projectNotGranted, .notFound, .grantNotFound, .conflict, .grantRevoked, .payloadTooLarge,
            .unsupportedMediaType, .validationFailed, .rateLimited, .serverError,
        ]
        return Dictionary(grouping: partnerCodes, by: \.status).reduce(into: [:]) { result, entry in
            result[String(entry.key)] = entry.value.map(\.rawValue).joined(separator: ", ")
        }
    }

    static func json(apiURL: String) -> Data {
        var paths: [String: [String: Any]] = [:]
        for endpoint in Endpoints.all {
            var responses: [String: Any] = [:]
            var success: [String: Any] = ["description": "Success"]
            if let schema = endpoint.response { success["content"] = ["application/json": ["schema": render(schema)]] }
            if endpoint.answersFile {
                success["content"] = ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]
                success["headers"] = ["Content-Disposition": ["schema": ["type": "string"], "description": "attachment; filename=\"…\""]]
            }
            responses[String(endpoint.success)] = success
            for (status, codes) in errorResponses {
                responses[status] = ["description": codes,
                                     "content": ["application/json": ["schema": ["$ref": "#/components/schemas/ErrorBody"]]]]
            }
            var entry: [String: Any] = [
                "operationId": endpoint.operationID,
                "summary": endpoint.summary,
                "description": "Takes: " + endpoint.tokens.map(\.rawValue).joined(separator: " or ") + "."
                    + (endpoint.scope.map { " Scope: `\($0)`." } ?? " No scope needed."),
                "security": [["bearer": endpoint.scope.map { [$0] } ?? []]],
                "x-required-scope": endpoint.scope ?? NSNull(),
                "responses": responses,
            ]
            let parameters = endpoint.parameterNames.map { name -> [String: Any] in
                ["name": name, "in": "path", "required": true, "schema": ["type": "string"]]
            } + endpoint.query.map { parameter -> [String: Any] in
                ["name": parameter.name, "in": "query", "required": false, "description": parameter.description, "schema": ["type": "string"]]
            }
            if !parameters.isEmpty { entry["parameters"] = parameters }
            if endpoint.takesFile {
                entry["requestBody"] = ["required": true, "description": "The file; its format is the format parameter's, whatever the Content-Type.",
                                        "content": ["*/*": ["schema": ["type": "string", "format": "binary"]]]]
            }
            if let request = endpoint.request {
                entry["requestBody"] = ["required": request.required,
                                        "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(request.name)"]]]]
            }
            paths[endpoint.path, default: [:]][endpoint.method.rawValue.lowercased()] = entry
        }
        var schemas: [String: Any] = [:]
        for type in Endpoints.components { schemas[type.schemaName] = render(type.schema) }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Better i18n partner API", "version": "1.0.0",
                     "description": "Reached with OAuth installation tokens (bi_oat_…); an OAuth access token only mints them."],
            "servers": [["url": apiURL]],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer",
                                               "description": "Authorization: Bearer bi_oat_… (or x-api-key)"]],
                "schemas": schemas,
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// A ``Schema`` as JSON Schema (2020-12, as OpenAPI 3.1 uses it).
    static func render(_ schema: Schema) -> [String: Any] {
        switch schema {
        case .string: ["type": "string"]
        case .dateTime: ["type": "string", "format": "date-time"]
        case .integer: ["type": "integer"]
        case .boolean: ["type": "boolean"]
        case .array(let items): ["type": "array", "items": render(items)]
        case .map(let values): ["type": "object", "additionalProperties": render(values)]
        case .enumeration(let values): ["type": "string", "enum": values]
        case .any: [:]
        case .ref(let name): ["$ref": "#/components/schemas/\(name)"]
        case .nullable(let inner):
            ["oneOf": [render(inner), ["type": "null"]]]
        case .object(let properties):
            [
                "type": "object",
                "properties": Dictionary(uniqueKeysWithValues: properties.map { ($0.name, render($0.schema)) }),
                "required": properties.filter(\.required).map(\.name),
            ]
        }
    }
}
