import Foundation

/// Every error code the partner API and the token endpoint answer, with its HTTP status: the
/// one list the server maps its refusals to and clients switch on.
public enum ErrorCode: String, Codable, Sendable, CaseIterable {
    // Partner API (resource server)
    case invalidRequest = "invalid_request"
    case invalidScope = "invalid_scope"
    case invalidProject = "invalid_project"
    case invalidToken = "invalid_token"
    case missingScope = "missing_scope"
    case wrongOrganization = "wrong_organization"
    case projectNotGranted = "project_not_granted"
    case notFound = "not_found"
    case grantNotFound = "grant_not_found"
    case methodNotAllowed = "method_not_allowed"
    case conflict
    case grantRevoked = "grant_revoked"
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case validationFailed = "validation_failed"
    case rateLimited = "rate_limited"
    case serverError = "server_error"
    // Public Content API (SPEC §10)
    case invalidAPIKey = "invalid_api_key"
    case wrongProject = "wrong_project"
    case draftsNotPublic = "drafts_not_public"
    // Token endpoint (RFC 6749 §5.2, RFC 8707)
    case invalidClient = "invalid_client"
    case invalidGrant = "invalid_grant"
    case unauthorizedClient = "unauthorized_client"
    case unsupportedGrantType = "unsupported_grant_type"
    case invalidTarget = "invalid_target"

    /// The status the server answers this code with. `invalid_token` on the token endpoint's
    /// family of codes is always 400 there; here the resource-server meaning is given.
    public var status: Int {
        switch self {
        case .invalidRequest, .invalidScope, .invalidProject, .invalidGrant, .unauthorizedClient,
             .unsupportedGrantType, .invalidTarget: 400
        case .invalidToken, .invalidClient, .invalidAPIKey: 401
        case .missingScope, .wrongOrganization, .projectNotGranted, .wrongProject, .draftsNotPublic: 403
        case .notFound, .grantNotFound: 404
        case .methodNotAllowed: 405
        case .conflict: 409
        case .grantRevoked: 410
        case .payloadTooLarge: 413
        case .unsupportedMediaType: 415
        case .validationFailed: 422
        case .rateLimited: 429
        case .serverError: 500
        }
    }
}

/// The body of every error answer: `{"error","error_description"}`, plus `required` for
/// `missing_scope` and `errors` for `validation_failed`.
public struct ErrorBody: APIType, Equatable {
    /// The code as sent; ``code`` reads it when this client knows it.
    public var error: String
    public var errorDescription: String?
    public var required: String?
    public var errors: [ItemError]?

    public var code: ErrorCode? { ErrorCode(rawValue: error) }

    public init(error: String, errorDescription: String?, required: String? = nil, errors: [ItemError]? = nil) {
        self.error = error
        self.errorDescription = errorDescription
        self.required = required
        self.errors = errors
    }

    public init(_ code: ErrorCode, _ description: String, required: String? = nil, errors: [ItemError]? = nil) {
        self.init(error: code.rawValue, errorDescription: description, required: required, errors: errors)
    }

    enum CodingKeys: String, CodingKey {
        case error, errorDescription = "error_description", required, errors
    }

    public static let schema = Schema.object([
        .init("error", .string), .init("error_description", .string), .init("required", .string, required: false),
        .init("errors", .array(.object([
            .init("index", .integer), .init("error", .string), .init("message", .string), .init("offset", .integer, required: false),
            .init("field", .string, required: false),
            .init("line", .integer, required: false), .init("key", .string, required: false),
        ])), required: false),
    ])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(error, forKey: .error)
        try container.encode(errorDescription ?? "", forKey: .errorDescription)
        try container.encodeIfPresent(required, forKey: .required)
        try container.encodeIfPresent(errors, forKey: .errors)
    }
}

/// One refused item of a bulk request: its index (or, for imports, line and key), a code, a
/// message and, for message-format errors, the character offset.
public struct ItemError: Codable, Sendable, Equatable {
    public var index: Int
    public var error: String
    public var message: String
    public var offset: Int?
    /// The input an error is about, as a path into the request body (`fields.price`,
    /// `translations.de.title`): content writes name the field (SPEC §10).
    public var field: String?
    /// For imports: the line of the file (1-based) and the key the problem is about.
    public var line: Int?
    public var key: String?

    public init(index: Int, error: String, message: String, offset: Int? = nil, field: String? = nil, line: Int? = nil, key: String? = nil) {
        self.index = index
        self.error = error
        self.message = message
        self.offset = offset
        self.field = field
        self.line = line
        self.key = key
    }
}
