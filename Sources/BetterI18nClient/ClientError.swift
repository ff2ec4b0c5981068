import BetterI18nAPI
import Foundation

/// Every way a call can fail, typed so an app can switch on what it must handle: a revoked
/// grant (ask the user to reconnect), a missing scope (ask for it), a rate limit (wait).
///
/// Descriptions carry the server's `error_description` at most, never a token or secret.
public enum BetterI18nError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `410 grant_revoked`: the user (or the partner, or an admin) ended the grant; every token
    /// of it is dead and it is never revived. A new consent makes a new grant.
    case grantRevoked
    /// `403 missing_scope`: the token lacks the route's scope (`required`).
    case missingScope(required: String?)
    /// `429 rate_limited`, after the retries the policy allows.
    case rateLimited(retryAfter: TimeInterval?)
    /// `401 invalid_token`: missing, expired, revoked or the wrong kind of token.
    case invalidToken
    /// `422 validation_failed`: nothing was written; one entry per refused item.
    case validationFailed([ItemError])
    case notFound
    /// `404 grant_not_found`: the grant is not this client's (or does not exist).
    case grantNotFound
    case conflict(String?)
    case wrongOrganization
    case projectNotGranted
    case invalidRequest(String?)
    case invalidScope(String?)
    case invalidProject(String?)
    /// Token endpoint: the code or refresh token is invalid, used, expired or of a revoked grant.
    case invalidGrant(String?)
    /// Token endpoint: the client could not be authenticated.
    case invalidClient
    /// Another OAuth error (`unauthorized_client`, `unsupported_grant_type`, `invalid_target`, …).
    case oauth(error: String, description: String?)
    /// The authorization redirect carried an error (`access_denied`…), a wrong `state` or `iss`,
    /// or no code.
    case authorizationFailed(error: String, description: String?)
    /// There is no refresh token for the grant in the store (never exchanged, or forgotten).
    case noRefreshToken(grantID: String)
    /// Any other answer that is not a success.
    case http(status: Int, body: ErrorBody?)
    /// No answer at all: connection refused, timeout, TLS…
    case transport(String)
    /// A success whose body is not what the API documents.
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .grantRevoked: "grant_revoked: the grant was revoked; the user must connect the app again"
        case .missingScope(let required): "missing_scope: the token lacks \(required ?? "a scope")"
        case .rateLimited(let after): "rate_limited" + (after.map { ", retry after \(Int($0)) s" } ?? "")
        case .invalidToken: "invalid_token"
        case .validationFailed(let errors): "validation_failed: " + errors.map { "#\($0.index) \($0.error)" }.joined(separator: ", ")
        case .notFound: "not_found"
        case .grantNotFound: "grant_not_found"
        case .conflict(let text): "conflict" + Self.suffix(text)
        case .wrongOrganization: "wrong_organization"
        case .projectNotGranted: "project_not_granted"
        case .invalidRequest(let text): "invalid_request" + Self.suffix(text)
        case .invalidScope(let text): "invalid_scope" + Self.suffix(text)
        case .invalidProject(let text): "invalid_project" + Self.suffix(text)
        case .invalidGrant(let text): "invalid_grant" + Self.suffix(text)
        case .invalidClient: "invalid_client"
        case .oauth(let error, let text): error + Self.suffix(text)
        case .authorizationFailed(let error, let text): "authorization failed: " + error + Self.suffix(text)
        case .noRefreshToken(let grant): "no refresh token stored for grant \(grant)"
        case .http(let status, let body): "HTTP \(status)" + (body.map { ": " + $0.error + Self.suffix($0.errorDescription) } ?? "")
        case .transport(let text): "transport: " + text
        case .invalidResponse(let text): "invalid response: " + text
        }
    }

    private static func suffix(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "" }
        return ": " + text
    }

    /// The error an answer stands for, from its `error` code (SPEC §6.3, RFC 6749 §5.2).
    static func from(_ response: ClientResponse, retryAfter: TimeInterval?) -> BetterI18nError {
        let body = try? JSONDecoder().decode(ErrorBody.self, from: response.body)
        let text = body?.errorDescription
        // By the code as sent (a string), so codes added to `ErrorCode` later fall to `http`.
        switch body?.error {
        case ErrorCode.grantRevoked.rawValue: return .grantRevoked
        case ErrorCode.missingScope.rawValue: return .missingScope(required: body?.required)
        case ErrorCode.rateLimited.rawValue: return .rateLimited(retryAfter: retryAfter)
        case ErrorCode.invalidToken.rawValue: return .invalidToken
        case ErrorCode.validationFailed.rawValue: return .validationFailed(body?.errors ?? [])
        case ErrorCode.notFound.rawValue: return .notFound
        case ErrorCode.grantNotFound.rawValue: return .grantNotFound
        case ErrorCode.conflict.rawValue: return .conflict(text)
        case ErrorCode.wrongOrganization.rawValue: return .wrongOrganization
        case ErrorCode.projectNotGranted.rawValue: return .projectNotGranted
        case ErrorCode.invalidRequest.rawValue: return .invalidRequest(text)
        case ErrorCode.invalidScope.rawValue: return .invalidScope(text)
        case ErrorCode.invalidProject.rawValue: return .invalidProject(text)
        case ErrorCode.invalidGrant.rawValue: return .invalidGrant(text)
        case ErrorCode.invalidClient.rawValue: return .invalidClient
        case ErrorCode.unauthorizedClient.rawValue, ErrorCode.unsupportedGrantType.rawValue, ErrorCode.invalidTarget.rawValue:
            return .oauth(error: body?.error ?? "", description: text)
        default:
            switch response.status {
            case 404: return .notFound
            case 410: return .grantRevoked
            case 429: return .rateLimited(retryAfter: retryAfter)
            default: return .http(status: response.status, body: body)
            }
        }
    }
}
