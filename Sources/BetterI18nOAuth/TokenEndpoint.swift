import struct BetterI18nAPI.TokenResponse
import BetterI18nCore
import BetterI18nStorage
import Foundation
import Logging

/// The successful token response (SPEC §5.4), encoded as RFC 6749 §5.1 plus `grant_id` and
/// `organization_id`: the API's wire type, which clients decode too.
public typealias TokenResponse = BetterI18nAPI.TokenResponse

/// What every grant handler gets: the parameters, the authenticated client and the time.
public struct TokenRequest: Sendable {
    public let parameters: OAuthParameters
    public let client: OAuthClient
    public let now: Date
}

/// One handler per grant type (STYLE.md rule 2), looked up by `grant_type`.
public protocol GrantTypeHandler: Sendable {
    var grantType: String { get }
    func handle(_ request: TokenRequest) async throws -> TokenResponse
}

/// `POST /api/auth/mcp/token` without HTTP: rate limit, client authentication, then the grant.
public struct TokenEndpoint: Sendable {
    let authenticator: ClientAuthenticator
    let handlers: [String: any GrantTypeHandler]
    let rateLimiter: RateLimiter
    let failedAuthentications: RateLimiter
    let clock: any WallClock
    let logger: Logger

    /// - Parameters:
    ///   - clients: where clients are looked up; a ``ClientCache`` on a busy server.
    ///   - rateLimitPerMinute: requests per authenticated client (SPEC §6.3).
    ///   - failedAuthenticationsPerMinute: failed client authentications per address; past it further
    ///     failures from the address are answered `429`.
    public init(storage: any Storage, clients: (any ClientStore)? = nil, settings: OAuthSettings, clock: any WallClock,
                rateLimitPerMinute: Int, failedAuthenticationsPerMinute: Int = 60, random: any RandomSource = SystemRandomSource(),
                logger: Logger, tokenCache: TokenStateCache? = nil) {
        let issuer = TokenIssuer(settings: settings, random: random)
        let revoker = FamilyRevoker(storage: storage, logger: logger, tokenCache: tokenCache)
        let handlers: [any GrantTypeHandler] = [
            AuthorizationCodeGrant(storage: storage, issuer: issuer, revoker: revoker),
            RefreshTokenGrant(storage: storage, settings: settings, issuer: issuer, revoker: revoker),
        ]
        self.authenticator = ClientAuthenticator(storage: clients ?? storage)
        self.handlers = Dictionary(uniqueKeysWithValues: handlers.map { ($0.grantType, $0) })
        self.rateLimiter = RateLimiter(limit: rateLimitPerMinute, window: 60, clock: clock)
        self.failedAuthentications = RateLimiter(limit: failedAuthenticationsPerMinute, window: 60, clock: clock)
        self.clock = clock
        self.logger = logger
    }

    /// The budget is spent only by the client that authenticated (SPEC §6.3): a `client_id` alone
    /// proves nothing, so counting it would let anyone exhaust another client's budget (and grow
    /// memory with made-up ids). Failed authentication is counted per address instead.
    public func handle(_ parameters: OAuthParameters, credentials: ClientCredentials, clientAddress: String) async throws -> TokenResponse {
        if let duplicate = parameters.firstDuplicate {
            throw OAuthError.invalidRequest("The parameter \(duplicate) was given more than once.")
        }
        let client: OAuthClient
        do {
            client = try await authenticator.authenticate(credentials)
        } catch let error as OAuthError where error.error == "invalid_client" {
            // Past the address's budget a failure is answered 429; a client that authenticates is
            // never refused for its address's failures (a shared NAT or proxy must not let one
            // misconfigured or hostile client lock out the others).
            let failures = failedAuthentications.record(clientAddress)
            guard failures.allowed else { throw OAuthError.rateLimited(retryAfter: failures.retryAfter) }
            throw error
        }
        let decision = rateLimiter.record(client.id.rawValue)
        guard decision.allowed else { throw OAuthError.rateLimited(retryAfter: decision.retryAfter) }
        let grantType = try parameters.required("grant_type")
        guard let handler = handlers[grantType] else {
            throw OAuthError.unsupportedGrantType("grant_type=\(grantType.prefix(60))")
        }
        return try await handler.handle(TokenRequest(parameters: parameters, client: client, now: clock.now()))
    }
}

/// Mints the access and refresh tokens of one family; the grant handler stores them in the same
/// transaction that uses up the code or refresh token they replace.
struct TokenIssuer: Sendable {
    let settings: OAuthSettings
    let random: any RandomSource

    struct Issued: Sendable {
        let records: [TokenRecord]
        let response: TokenResponse
        /// "Last used" is kept to the minute, which saves a write on most grants.
        let touchGrant: Bool
    }

    func prepare(
        client: OAuthClient, grant: Grant, family: FamilyID, userID: UserID, accessScopes: ScopeSet, refreshScopes: ScopeSet,
        resource: String?, now: Date
    ) -> Issued {
        let access = Secret(kind: .accessToken, random: random)
        let refresh = Secret(kind: .refreshToken, random: random)
        func record(_ secret: Secret, _ kind: TokenKind, _ scopes: ScopeSet, _ lifetime: TimeInterval) -> TokenRecord {
            TokenRecord(
                digest: secret.digest, kind: kind, clientID: client.id, grantID: grant.id, familyID: family, userID: userID,
                scopes: scopes, projectIDs: grant.projectIDs, resource: resource, createdAt: now,
                expiresAt: now.addingTimeInterval(lifetime)
            )
        }
        return Issued(
            records: [
                record(access, .access, accessScopes, settings.accessTokenTTL),
                record(refresh, .refresh, refreshScopes, settings.refreshTokenTTL),
            ],
            response: TokenResponse(
                accessToken: access.value, expiresIn: Int(settings.accessTokenTTL),
                refreshToken: refresh.value, scope: accessScopes.description, grantID: grant.id.rawValue,
                organizationID: grant.organizationID.rawValue
            ),
            touchGrant: grant.lastUsedAt.map { now.timeIntervalSince($0) >= 60 } ?? true
        )
    }
}

/// RFC 8707 §2: a `resource` at the token endpoint must match the authorization request's.
func checkResource(_ parameters: OAuthParameters, against authorized: String?) throws -> String? {
    guard let requested = try parameters.single("resource") else { return authorized }
    let normalized = requested.hasSuffix("/") ? String(requested.dropLast()) : requested
    guard normalized == authorized else {
        throw OAuthError.invalidTarget("resource \(requested.prefix(200)) differs from the authorized one")
    }
    return normalized
}

/// Revokes a token family after a replayed code or a reused refresh token, with an audit event
/// and a warning in the log (the grant itself stays).
struct FamilyRevoker: Sendable {
    let storage: any Storage
    let logger: Logger
    let tokenCache: TokenStateCache?

    func revoke(_ family: FamilyID, grant: GrantID, organization: OrganizationID?, client: ClientID,
                because kind: AuditEvent.Kind, at now: Date) async throws {
        // `grant.tokens_revoked` only when the grant is still live (a family of a revoked grant
        // is already dead, and its app was told `grant.revoked`).
        let event: OutboxEvent? = organization.map {
            .grantTokensRevoked(grant: grant, client: client, organization: $0,
                                reason: kind == .codeReplayed ? .codeReplay : .tokenReuse, at: now)
        }
        try await storage.revokeFamily(family, at: now, event: event)
        tokenCache?.removeAll()
        try await storage.recordAudit(AuditEvent(
            kind: kind, organizationID: organization, clientID: client, grantID: grant, actor: client.rawValue,
            details: ["family": family.rawValue], createdAt: now
        ))
        logger.warning("token family revoked", metadata: [
            "event": .string(kind.rawValue), "client": .string(client.rawValue), "grant": .string(grant.rawValue),
        ])
    }
}

/// `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5).
struct AuthorizationCodeGrant: GrantTypeHandler {
    let grantType = "authorization_code"
    let storage: any Storage
    let issuer: TokenIssuer
    let revoker: FamilyRevoker

    func handle(_ request: TokenRequest) async throws -> TokenResponse {
        let parameters = request.parameters
        let code = try parameters.required("code")
        let redirectURI = try parameters.required("redirect_uri")
        // RFC 7636 §4.5: the verifier is required, and must have the RFC's shape.
        guard let verifier = try parameters.single("code_verifier") else {
            throw OAuthError.invalidRequest("code_verifier is required (PKCE).")
        }
        guard PKCE.isValidVerifier(verifier) else {
            throw OAuthError.invalidRequest("code_verifier must be 43–128 unreserved characters.")
        }
        guard SecretFormatCheck(code) == .valid(.authorizationCode) else {
            throw OAuthError.invalidGrant("code is not a well-formed bi_ac_ code")
        }
        let digest = SecretDigest(of: code)
        guard let record = try await storage.authorizationCode(digest: digest) else {
            throw OAuthError.invalidGrant("unknown code")
        }
        guard record.consumedAt == nil else {
            try await replayed(record, request)
        }
        let issued: TokenIssuer.Issued
        do {
            issued = try await validate(record, request, redirectURI: redirectURI, verifier: verifier)
        } catch {
            // A code presented with the wrong client, redirect URI or verifier is used up: it
            // was leaked or guessed, and must not get a second chance.
            _ = try await storage.redeemAuthorizationCode(digest: digest, at: request.now, issuing: [], touchGrant: false)
            throw error
        }
        guard try await storage.redeemAuthorizationCode(
            digest: digest, at: request.now, issuing: issued.records, touchGrant: issued.touchGrant
        ) else {
            try await replayed(record, request)
        }
        return issued.response
    }

    private func validate(
        _ record: AuthorizationCodeRecord, _ request: TokenRequest, redirectURI: String, verifier: String
    ) async throws -> TokenIssuer.Issued {
        // The code is bound to the client and the redirect URI it was issued for.
        guard record.clientID == request.client.id else {
            throw OAuthError.invalidGrant("code was issued to another client")
        }
        guard record.redirectURI == redirectURI else {
            throw OAuthError.invalidGrant("redirect_uri differs from the authorization request")
        }
        guard record.expiresAt > request.now else {
            throw OAuthError.invalidGrant("code expired")
        }
        guard PKCE.verify(verifier: verifier, challenge: record.codeChallenge) else {
            throw OAuthError.invalidGrant("PKCE verification failed")
        }
        let resource = try checkResource(request.parameters, against: record.resource)
        guard let grant = try await storage.grant(id: record.grantID), !grant.isRevoked else {
            throw OAuthError.invalidGrant("grant revoked")
        }
        let scopes = record.scopes.intersection(grant.scopes)
        return issuer.prepare(
            client: request.client, grant: grant, family: record.familyID, userID: record.userID,
            accessScopes: scopes, refreshScopes: scopes, resource: resource, now: request.now
        )
    }

    /// RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization
    /// server MUST deny the request and SHOULD revoke (when possible) all tokens previously
    /// issued based on that authorization code."
    private func replayed(_ record: AuthorizationCodeRecord, _ request: TokenRequest) async throws -> Never {
        try await revoker.revoke(
            record.familyID, grant: record.grantID, organization: try await storage.grant(id: record.grantID)?.organizationID,
            client: record.clientID, because: .codeReplayed, at: request.now
        )
        throw OAuthError.invalidGrant("code replayed")
    }
}

/// `grant_type=refresh_token` (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).
struct RefreshTokenGrant: GrantTypeHandler {
    let grantType = "refresh_token"
    let storage: any Storage
    let settings: OAuthSettings
    let issuer: TokenIssuer
    let revoker: FamilyRevoker

    func handle(_ request: TokenRequest) async throws -> TokenResponse {
        let parameters = request.parameters
        let token = try parameters.required("refresh_token")
        var narrowed: ScopeSet?
        if let raw = try parameters.single("scope") {
            guard let scopes = ScopeSet(parsing: raw), !scopes.isEmpty else {
                throw OAuthError.invalidScope("The requested scope is unknown or empty.")
            }
            narrowed = scopes
        }
        guard SecretFormatCheck(token) == .valid(.refreshToken) else {
            throw OAuthError.invalidGrant("not a well-formed bi_rt_ token")
        }
        let digest = SecretDigest(of: token)
        guard let state = try await storage.tokenState(digest: digest), state.token.kind == .refresh else {
            throw OAuthError.invalidGrant("unknown refresh token")
        }
        guard state.token.clientID == request.client.id else {
            throw OAuthError.invalidGrant("refresh token of another client")
        }
        guard !state.isRevoked else { throw OAuthError.invalidGrant("refresh token revoked") }
        guard !state.grant.isRevoked else { throw OAuthError.invalidGrant("grant revoked") }
        guard !state.isExpired(at: request.now) else { throw OAuthError.invalidGrant("refresh token expired") }
        // RFC 6749 §6: the new scope must not exceed what was granted; the refresh token keeps
        // the original scope so a later refresh can ask for it again.
        let refreshScopes = state.token.scopes.intersection(state.grant.scopes)
        if let narrowed, !narrowed.isSubset(of: state.token.scopes) {
            throw OAuthError.invalidScope("The requested scope exceeds the granted scope.")
        }
        let accessScopes = narrowed?.intersection(refreshScopes) ?? refreshScopes
        let resource = try checkResource(parameters, against: state.token.resource)
        let issued = issuer.prepare(
            client: request.client, grant: state.grant, family: state.token.familyID, userID: state.token.userID,
            accessScopes: accessScopes, refreshScopes: refreshScopes, resource: resource, now: request.now
        )
        switch try await storage.rotateRefreshToken(
            digest: digest, at: request.now, grace: settings.refreshReuseGrace, issuing: issued.records,
            touchGrant: issued.touchGrant
        ) {
        case .rotated, .withinGrace:
            return issued.response
        case .unknown:
            throw OAuthError.invalidGrant("unknown refresh token")
        case .reused:
            // A rotated token presented again: it was stolen or the client is broken. Revoke
            // everything descending from the same code exchange; the grant stays.
            try await revoker.revoke(
                state.token.familyID, grant: state.grant.id, organization: state.grant.organizationID,
                client: request.client.id, because: .refreshTokenReused, at: request.now
            )
            throw OAuthError.invalidGrant("refresh token reused")
        }
    }
}
