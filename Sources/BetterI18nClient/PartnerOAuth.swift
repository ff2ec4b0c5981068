import BetterI18nAPI
import Crypto
import Foundation

/// Where a partner keeps its refresh tokens, one per grant. Refresh tokens rotate (SPEC §5.4):
/// every refresh returns a new one and the old one dies, so the client hands each new token
/// here *before* it returns; a token lost between rotation and storage would end the family.
public protocol RefreshTokenStore: Sendable {
    func load(grantID: String) async throws -> String?
    func save(_ refreshToken: String, grantID: String) async throws
}

/// A ``RefreshTokenStore`` in memory, for tests and short-lived tools; a partner's server keeps
/// refresh tokens in its database, encrypted.
public actor InMemoryRefreshTokenStore: RefreshTokenStore {
    private var tokens: [String: String] = [:]
    /// Every save, in order (grant ids only), so a test can see rotation reach the store.
    public private(set) var saves: [String] = []

    public init() {}

    public func load(grantID: String) -> String? { tokens[grantID] }

    public func save(_ refreshToken: String, grantID: String) {
        tokens[grantID] = refreshToken
        saves.append(grantID)
    }
}

/// How an OAuth client is registered with Better i18n (SPEC §5.2). Prints without its secret.
public struct OAuthClientCredentials: Sendable, CustomStringConvertible {
    public var clientID: String
    /// The secret of a confidential (`web`) client, sent with `client_secret_basic`; nil for a
    /// public (`native`, `spa`) client, which sends only its `client_id`.
    public var clientSecret: String?
    public var redirectURI: String

    public init(clientID: String, clientSecret: String? = nil, redirectURI: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
    }

    public var description: String {
        "OAuthClientCredentials(client_id: \(clientID), \(clientSecret == nil ? "public" : "secret redacted"), redirect_uri: \(redirectURI))"
    }
}

/// PKCE with S256 (RFC 7636 §4.1–4.2), the only method Better i18n accepts.
public enum PKCES256 {
    /// 64 characters of the unreserved set from 48 random bytes (43–128 allowed).
    public static func makeVerifier() -> String {
        base64URL(randomBytes(48))
    }

    /// `BASE64URL(SHA256(ASCII(code_verifier)))`.
    public static func challenge(for verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// One authorization in progress: the URL to send the user's browser to, and what the callback
/// and the exchange need. Keep it (server side, per browser session) until the redirect comes.
public struct AuthorizationAttempt: Sendable, CustomStringConvertible {
    public let url: URL
    public let state: String
    public let codeVerifier: String
    public let redirectURI: String
    public let resource: String?

    public var description: String { "AuthorizationAttempt(\(url.host ?? ""), state and verifier redacted)" }
}

/// The OAuth 2.0 dance against Better i18n's authorization server (SPEC §5): authorization code
/// with PKCE (RFC 6749 §4.1, RFC 7636), refresh with rotation (§6), revocation (RFC 7009).
public struct PartnerOAuth: Sendable {
    public let client: BetterI18nClient
    public let credentials: OAuthClientCredentials

    public init(client: BetterI18nClient, credentials: OAuthClientCredentials) {
        self.client = client
        self.credentials = credentials
    }

    /// The authorize URL with a fresh PKCE S256 pair and a random `state` (RFC 6749 §10.12).
    /// `scopes` nil asks for the default-on scopes (SPEC §7); `resource` is RFC 8707's.
    public func authorizationRequest(scopes: [String]? = nil, resource: String? = nil) -> AuthorizationAttempt {
        let verifier = PKCES256.makeVerifier()
        let state = PKCES256.base64URL(PKCES256.randomBytes(24))
        var query: [(String, String)] = [
            ("response_type", "code"), ("client_id", credentials.clientID), ("redirect_uri", credentials.redirectURI),
            ("state", state), ("code_challenge", PKCES256.challenge(for: verifier)), ("code_challenge_method", "S256"),
        ]
        if let scopes { query.append(("scope", scopes.joined(separator: " "))) }
        if let resource { query.append(("resource", resource)) }
        let url = URL(string: BetterI18nClient.url(client.configuration.authorizationServerURL, "/api/auth/mcp/authorize", query))!
        return AuthorizationAttempt(url: url, state: state, codeVerifier: verifier, redirectURI: credentials.redirectURI,
                                    resource: resource)
    }

    /// The code from the redirect back to `redirect_uri`, after checking `state` (RFC 6749
    /// §10.12) and, when present, `iss` (RFC 9207 §2.4); an `error` there is thrown.
    public func code(fromCallback url: URL, for request: AuthorizationAttempt) throws -> String {
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        guard value("state") == request.state else {
            throw BetterI18nError.authorizationFailed(error: "state_mismatch", description: "the redirect's state is not this request's")
        }
        if let issuer = value("iss"), issuer != client.configuration.issuer {
            throw BetterI18nError.authorizationFailed(error: "issuer_mismatch", description: "the redirect came from another issuer")
        }
        if let error = value("error") {
            throw BetterI18nError.authorizationFailed(error: error, description: value("error_description"))
        }
        guard let code = value("code"), !code.isEmpty else {
            throw BetterI18nError.authorizationFailed(error: "missing_code", description: "the redirect carries no code")
        }
        return code
    }

    /// Exchanges a code (RFC 6749 §4.1.3) with the request's verifier; the refresh token goes to
    /// `store` under the answer's grant before this returns.
    public func exchange(code: String, for request: AuthorizationAttempt, store: any RefreshTokenStore) async throws -> TokenResponse {
        var form: [(String, String)] = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", request.redirectURI),
            ("code_verifier", request.codeVerifier),
        ]
        if let resource = request.resource { form.append(("resource", resource)) }
        let tokens = try await token(form)
        try await store.save(tokens.refreshToken, grantID: tokens.grantID)
        return tokens
    }

    /// Refreshes the grant's tokens (RFC 6749 §6) with the refresh token in `store`, and saves
    /// the rotated one there before returning. `scope` may narrow the new access token.
    public func refresh(grantID: String, store: any RefreshTokenStore, scope: String? = nil) async throws -> TokenResponse {
        guard let refreshToken = try await store.load(grantID: grantID) else { throw BetterI18nError.noRefreshToken(grantID: grantID) }
        var form: [(String, String)] = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if let scope { form.append(("scope", scope)) }
        let tokens = try await token(form)
        try await store.save(tokens.refreshToken, grantID: tokens.grantID)
        return tokens
    }

    public enum TokenTypeHint: String, Sendable { case accessToken = "access_token", refreshToken = "refresh_token" }

    /// Revokes a token (RFC 7009 §2.1). A refresh token takes its whole family with it; the
    /// grant stays (to end the grant, use ``BetterI18nClient/uninstall(grantID:accessToken:)``).
    public func revoke(_ token: String, hint: TokenTypeHint? = nil) async throws {
        var form = [("token", token)]
        if let hint { form.append(("token_type_hint", hint.rawValue)) }
        _ = try await post(form, to: "/api/auth/mcp/revoke")
    }

    private func token(_ form: [(String, String)]) async throws -> TokenResponse {
        try client.decode(TokenResponse.self, from: try await post(form, to: "/api/auth/mcp/token"))
    }

    /// A form POST with client authentication: `client_secret_basic` (RFC 6749 §2.3.1, both
    /// parts form-encoded before Base64) for confidential clients, `client_id` alone for public ones.
    private func post(_ form: [(String, String)], to path: String) async throws -> ClientResponse {
        var form = form
        var headers: [(String, String)] = [
            ("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded"),
            ("User-Agent", client.configuration.userAgent),
        ]
        if let secret = credentials.clientSecret {
            let pair = BetterI18nClient.percentEncoded(credentials.clientID) + ":" + BetterI18nClient.percentEncoded(secret)
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        } else {
            form.append(("client_id", credentials.clientID))
        }
        let body = form.map { BetterI18nClient.percentEncoded($0.0) + "=" + BetterI18nClient.percentEncoded($0.1) }.joined(separator: "&")
        let url = BetterI18nClient.url(client.configuration.authorizationServerURL, path, [])
        return try await client.perform(ClientRequest(method: "POST", url: url, headers: headers, body: Data(body.utf8)))
    }
}
