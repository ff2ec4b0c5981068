import BetterI18nCore
import Foundation

/// The slice of configuration the authorization server reads (lifetimes, issuer, resources).
public struct OAuthSettings: Sendable {
    public var issuer: String
    public var apiURL: String
    public var codeTTL: TimeInterval
    public var accessTokenTTL: TimeInterval
    public var refreshTokenTTL: TimeInterval
    public var refreshReuseGrace: TimeInterval
    public var installationTokenTTL: TimeInterval
    public var pendingRequestTTL: TimeInterval = 600
    public var registration: ServerConfiguration.RegistrationPolicy
    public var registrationTokenTTL: TimeInterval = 86_400

    public init(_ configuration: ServerConfiguration) {
        issuer = configuration.publicURL.absoluteString
        apiURL = configuration.apiURL.absoluteString
        codeTTL = configuration.codeTTL
        accessTokenTTL = configuration.accessTokenTTL
        refreshTokenTTL = configuration.refreshTokenTTL
        refreshReuseGrace = configuration.refreshReuseGrace
        installationTokenTTL = configuration.installationTokenTTL
        registration = configuration.registration
    }

    /// RFC 8707 resource indicators this server accepts (SPEC §5.3): the API and its MCP endpoint.
    public var resources: Set<String> { [apiURL, apiURL + "/mcp"] }

    public var authorizationEndpoint: String { issuer + "/api/auth/mcp/authorize" }
    public var tokenEndpoint: String { issuer + "/api/auth/mcp/token" }
    public var registrationEndpoint: String { issuer + "/api/auth/mcp/register" }
    public var revocationEndpoint: String { issuer + "/api/auth/mcp/revoke" }
    public var introspectionEndpoint: String { issuer + "/api/auth/mcp/introspect" }
}
