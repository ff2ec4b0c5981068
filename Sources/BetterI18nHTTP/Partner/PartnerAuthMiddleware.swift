import BetterI18nAPI
import BetterI18nCore
import BetterI18nOAuth
import Foundation
import Hummingbird

/// Guards the partner resource routes (SPEC §6.2): an installation token is required (an access
/// token gets `401 invalid_token`), each token is rate-limited (`--rate-limit-per-minute`), and
/// every response — errors included — carries `X-RateLimit-Limit/Remaining/Reset`.
struct PartnerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let authenticator: BearerAuthenticator
    let limiter: RateLimiter
    let resourceMetadata: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token: AuthenticatedToken
        do {
            token = try await authenticator.authenticate(PartnerCredentials.token(from: request), accepting: [.installation])
        } catch let failure as BearerFailure {
            throw PartnerCredentials.error(failure, resourceMetadata: resourceMetadata)
        }
        let decision = limiter.record(token.state.token.digest.hex)
        let headers = decision.headers
        guard decision.allowed else {
            var limited = headers
            limited[.retryAfter] = String(decision.retryAfter)
            throw APIError(.rateLimited,
                           "Rate limit of \(decision.limit) requests a minute reached; retry in \(decision.retryAfter) s.",
                           headers: limited)
        }
        var context = context
        context.partner = token
        do {
            var response = try await next(request, context)
            for field in headers { response.headers[field.name] = field.value }
            return response
        } catch var error as APIError {
            for field in headers { error.headers[field.name] = field.value }
            throw error
        }
    }
}

extension RateLimiter.Decision {
    /// `X-RateLimit-Limit`, `-Remaining` and `-Reset`, as every rate-limited API route sends them.
    var headers: HTTPFields {
        [
            .xRateLimitLimit: String(limit),
            .xRateLimitRemaining: String(remaining),
            .xRateLimitReset: String(Int(reset.timeIntervalSince1970)),
        ]
    }
}

extension APIError {
    /// `403 missing_scope` naming the scope, with the RFC 6750 `insufficient_scope` challenge.
    static func missingScope(_ scope: Scope) -> APIError {
        var error = APIError(.missingScope, "This token lacks the \(scope.rawValue) scope.",
                             headers: [.wwwAuthenticate: #"Bearer error="insufficient_scope", scope="\#(scope.rawValue)""#])
        error.required = scope.rawValue
        return error
    }
}

extension HTTPFields.Element.Name {
    static let xRateLimitLimit = Self("X-RateLimit-Limit")!
    static let xRateLimitRemaining = Self("X-RateLimit-Remaining")!
    static let xRateLimitReset = Self("X-RateLimit-Reset")!
}

extension AppRequestContext {
    /// The installation token, with `scope` required (SPEC §7: the same check guards REST and MCP).
    func partnerToken(requiring scope: Scope) throws -> AuthenticatedToken {
        guard let partner else { throw APIError(.invalidToken, "A bearer token is required.") }
        guard partner.scopes.contains(scope) else { throw APIError.missingScope(scope) }
        return partner
    }
}
