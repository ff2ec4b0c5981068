import BetterI18nCore
/// An OAuth error as RFC 6749 §5.2 (token endpoint), §4.1.2.1 (authorization) and RFC 7591 §3.2.2
/// (registration) name them.
///
/// `description` is fixed and safe to send; `detail` says precisely what failed and goes to the
/// log only (node-oidc-provider's rule), so a client learns no more than the code tells it.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case invalidRequest = "invalid_request"
        case invalidClient = "invalid_client"
        case invalidGrant = "invalid_grant"
        case unauthorizedClient = "unauthorized_client"
        case unsupportedGrantType = "unsupported_grant_type"
        case unsupportedResponseType = "unsupported_response_type"
        case invalidScope = "invalid_scope"
        case invalidTarget = "invalid_target"
        case accessDenied = "access_denied"
        case invalidRedirectURI = "invalid_redirect_uri"
        case invalidClientMetadata = "invalid_client_metadata"
        case registrationDisabled = "registration_disabled"
        case rateLimited = "rate_limited"
        case serverError = "server_error"
    }

    private let code: Code
    /// Client-safe text for `error_description`.
    public let description: String
    /// Internal reason, for logs.
    public let detail: String
    /// Seconds for `Retry-After` when rate limited.
    public let retryAfter: Int?

    private init(_ code: Code, _ description: String, detail: String, retryAfter: Int? = nil) {
        self.code = code
        // Both may quote client input: a token pasted into the wrong parameter stays masked.
        self.description = SecretRedaction.redact(description)
        self.detail = SecretRedaction.redact(detail)
        self.retryAfter = retryAfter
    }

    public var error: String { code.rawValue }

    /// HTTP status: 401 for client authentication, 403 for disabled registration, 429 for rate
    /// limits, 500 for our own faults, 400 for everything else (RFC 6749 §5.2).
    public var status: Int {
        switch code {
        case .invalidClient: 401
        case .registrationDisabled: 403
        case .rateLimited: 429
        case .serverError: 500
        default: 400
        }
    }

    public static func invalidRequest(_ description: String, detail: String? = nil) -> OAuthError {
        .init(.invalidRequest, description, detail: detail ?? description)
    }
    public static func invalidClient(_ detail: String) -> OAuthError {
        .init(.invalidClient, "Client authentication failed.", detail: detail)
    }
    /// One description for every invalid grant, so a client cannot tell an expired code from a
    /// replayed one or a wrong verifier.
    public static func invalidGrant(_ detail: String) -> OAuthError {
        .init(.invalidGrant, "The authorization grant or refresh token is invalid, expired or revoked.", detail: detail)
    }
    public static func unauthorizedClient(_ detail: String) -> OAuthError {
        .init(.unauthorizedClient, "This client may not use this grant type.", detail: detail)
    }
    public static func unsupportedGrantType(_ detail: String) -> OAuthError {
        .init(.unsupportedGrantType, "Supported grant types are authorization_code and refresh_token.", detail: detail)
    }
    public static func unsupportedResponseType(_ detail: String) -> OAuthError {
        .init(.unsupportedResponseType, "Only response_type=code is supported.", detail: detail)
    }
    public static func invalidScope(_ description: String, detail: String? = nil) -> OAuthError {
        .init(.invalidScope, description, detail: detail ?? description)
    }
    public static func invalidTarget(_ detail: String) -> OAuthError {
        .init(.invalidTarget, "The resource parameter names no resource of this server, or differs from the authorization request.", detail: detail)
    }
    public static func accessDenied(_ detail: String) -> OAuthError {
        .init(.accessDenied, "The user denied the request.", detail: detail)
    }
    public static func invalidRedirectURI(_ description: String) -> OAuthError {
        .init(.invalidRedirectURI, description, detail: description)
    }
    public static func invalidClientMetadata(_ description: String) -> OAuthError {
        .init(.invalidClientMetadata, description, detail: description)
    }
    public static let registrationDisabled = OAuthError(
        .registrationDisabled, "Dynamic client registration is disabled on this server.", detail: "registration off"
    )
    public static func rateLimited(retryAfter: Int) -> OAuthError {
        .init(.rateLimited, "Too many requests. Retry after \(retryAfter) seconds.", detail: "rate limited", retryAfter: retryAfter)
    }
    public static func serverError(_ detail: String) -> OAuthError {
        .init(.serverError, "Something went wrong on our side.", detail: detail)
    }

    public static func == (lhs: OAuthError, rhs: OAuthError) -> Bool { lhs.code == rhs.code }
}
