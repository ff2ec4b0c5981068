import BetterI18nCore
import BetterI18nStorage
import Foundation

/// A request to `GET /api/auth/mcp/authorize` that passed every check (SPEC §5.3).
public struct AuthorizationRequest: Sendable, Equatable {
    public let client: OAuthClient
    public let redirectURI: String
    public let scopes: ScopeSet
    public let state: String?
    public let codeChallenge: String
    public let resource: String?
}

/// The outcome of validating an authorization request, in the order SPEC §5.3 and STYLE.md
/// rule 4 require: trust before redirect.
public enum AuthorizationValidation: Sendable {
    case valid(AuthorizationRequest)
    /// Unknown client or unregistered redirect URI: show an error page, never redirect there.
    case errorPage(String)
    /// The client and redirect URI are trusted: send the error back to the client.
    case redirectError(OAuthError, redirectURI: String, state: String?)
    /// A problem with a dynamically registered (unverified) client's request, found before any
    /// user saw the consent page: an error page, so the endpoint is no open redirector.
    case unverifiedClientError(OAuthError)
}

/// The authorization endpoint's checks as a pipeline of small named steps.
public struct AuthorizationRequestValidator: Sendable {
    let clients: any ClientStore
    let settings: OAuthSettings

    public init(clients: any ClientStore, settings: OAuthSettings) {
        self.clients = clients
        self.settings = settings
    }

    public func validate(_ parameters: OAuthParameters) async throws -> AuthorizationValidation {
        // 1. The client, then its redirect URI. Until both are trusted, nothing is redirected.
        let clientValues = parameters.pairs.filter { $0.name == "client_id" }.map(\.value)
        guard clientValues.count == 1, let clientID = ClientID(clientValues[0]),
              let client = try await clients.client(id: clientID)
        else {
            return .errorPage("The application that sent you here is not registered, or the link is malformed.")
        }
        let redirectValues = parameters.pairs.filter { $0.name == "redirect_uri" }.map(\.value)
        guard redirectValues.count == 1, RedirectURIMatcher.isRegistered(redirectValues[0], in: client.redirectURIs) else {
            return .errorPage("The redirect address of this request is not registered for \(client.name).")
        }
        let redirectURI = redirectValues[0]
        let stateValues = parameters.pairs.filter { $0.name == "state" }.map(\.value)
        let state = stateValues.first
        func fail(_ error: OAuthError) -> AuthorizationValidation {
            // RFC 9700 §4.11.2: anyone can register a client with any redirect URI, so an
            // unverified client's redirect URI is not trusted before a signed-in user has seen
            // the consent page — every problem found here is shown, not redirected (SPEC §5.3).
            guard client.isVerified else { return .unverifiedClientError(error) }
            return .redirectError(error, redirectURI: redirectURI, state: state)
        }

        // 2. Everything else goes back to the client with `state` and `iss`.
        if let duplicate = parameters.firstDuplicate {
            return fail(.invalidRequest("The parameter \(duplicate) was given more than once."))
        }
        do {
            guard let responseType = try parameters.single("response_type") else {
                return fail(.invalidRequest("response_type is missing."))
            }
            guard responseType == "code" else {
                return fail(.unsupportedResponseType("response_type=\(responseType.prefix(40))"))
            }
            let challenge = try checkPKCE(parameters)
            let scopes = try checkScopes(parameters, client: client)
            let resource = try checkResource(parameters)
            return .valid(AuthorizationRequest(
                client: client, redirectURI: redirectURI, scopes: scopes, state: state,
                codeChallenge: challenge, resource: resource
            ))
        } catch let error as OAuthError {
            return fail(error)
        }
    }

    /// PKCE S256 is required of every client, confidential ones too; `plain` is refused.
    private func checkPKCE(_ parameters: OAuthParameters) throws -> String {
        guard let challenge = try parameters.single("code_challenge") else {
            throw OAuthError.invalidRequest("code_challenge is required (PKCE with S256).")
        }
        guard try parameters.single("code_challenge_method") == "S256" else {
            throw OAuthError.invalidRequest("code_challenge_method must be S256.")
        }
        guard PKCE.isValidChallenge(challenge) else {
            throw OAuthError.invalidRequest("code_challenge is not a base64url SHA-256 digest.")
        }
        return challenge
    }

    /// An omitted scope means the default-on scopes the client registered (SPEC §5.3); unknown
    /// scopes, and scopes beyond the client's registration (RFC 7591 `scope`), are refused.
    private func checkScopes(_ parameters: OAuthParameters, client: OAuthClient) throws -> ScopeSet {
        guard let raw = try parameters.single("scope") else {
            let defaults = ScopeSet(Scope.defaultOn.filter(client.scopes.contains))
            guard !defaults.isEmpty else {
                throw OAuthError.invalidScope("The client registered no default scope; name the scopes to request.", detail: "no scope")
            }
            return defaults
        }
        guard let scopes = ScopeSet(parsing: raw), !scopes.isEmpty else {
            throw OAuthError.invalidScope("The requested scope is unknown or empty.", detail: "scope=\(raw.prefix(200))")
        }
        guard scopes.isSubset(of: client.scopes) else {
            throw OAuthError.invalidScope("The requested scope is beyond what this client registered.",
                                          detail: "scope=\(raw.prefix(200)) registered=\(client.scopes)")
        }
        return scopes
    }

    /// RFC 8707: `{api}` or `{api}/mcp`; anything else is `invalid_target`.
    private func checkResource(_ parameters: OAuthParameters) throws -> String? {
        guard let resource = try parameters.single("resource") else { return nil }
        let normalized = resource.hasSuffix("/") ? String(resource.dropLast()) : resource
        guard settings.resources.contains(normalized) else {
            throw OAuthError.invalidTarget("resource=\(resource.prefix(200))")
        }
        return normalized
    }
}

/// Builds the redirect back to the client: the URI's own query is kept and the response
/// parameters are appended, with `iss` (RFC 9207) always.
public enum AuthorizationResponse {
    public static func redirect(to redirectURI: String, parameters: [(String, String?)], issuer: String) -> String {
        var components = URLComponents(string: redirectURI) ?? URLComponents()
        var items = components.queryItems ?? []
        for (name, value) in parameters {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        items.append(URLQueryItem(name: "iss", value: issuer))
        components.queryItems = items
        // URLComponents leaves `+` alone in queries; encode it so it is not read as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? redirectURI
    }

    public static func error(_ error: OAuthError, redirectURI: String, state: String?, issuer: String) -> String {
        redirect(to: redirectURI, parameters: [
            ("error", error.error), ("error_description", error.description), ("state", state),
        ], issuer: issuer)
    }
}
