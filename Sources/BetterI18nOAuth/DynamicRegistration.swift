import BetterI18nCore
import BetterI18nStorage
import Foundation

/// RFC 7591 dynamic client registration at `POST /api/auth/mcp/register` (SPEC §5.2), governed
/// by `--registration open|token|off`. Registered apps are unverified on the consent screen.
public struct DynamicRegistration: Sendable {
    /// The client metadata a registration request may carry (RFC 7591 §2).
    public struct Metadata: Decodable, Sendable {
        public var client_name: String?
        public var redirect_uris: [String]?
        public var token_endpoint_auth_method: String?
        public var grant_types: [String]?
        public var response_types: [String]?
        public var scope: String?
        public var logo_uri: String?
        public var client_uri: String?
    }

    /// RFC 7591 §3.2.1.
    public struct Response: Encodable, Sendable {
        public let client_id: String
        public let client_secret: String?
        public let client_id_issued_at: Int
        public let client_secret_expires_at: Int
        public let client_name: String
        public let redirect_uris: [String]
        public let token_endpoint_auth_method: String
        public let grant_types: [String]
        public let response_types: [String]
        public let scope: String
        public let logo_uri: String?
        public let client_uri: String?
    }

    let registry: ClientRegistry
    let storage: any Storage
    let settings: OAuthSettings
    let clock: any WallClock
    let limiter: RateLimiter

    /// - Parameter perAddressPerHour: registrations allowed per source address and hour (20).
    public init(storage: any Storage, settings: OAuthSettings, clock: any WallClock, perAddressPerHour: Int = 20,
                random: any RandomSource = SystemRandomSource()) {
        self.registry = ClientRegistry(storage: storage, clock: clock, random: random)
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.limiter = RateLimiter(limit: perAddressPerHour, window: 3600, clock: clock)
    }

    public func register(_ metadata: Metadata, bearer: String?, clientAddress: String) async throws -> Response {
        switch settings.registration {
        case .off:
            throw OAuthError.registrationDisabled
        case .token:
            guard let bearer, SecretFormatCheck(bearer) == .valid(.initialAccessToken),
                  try await storage.consumeRegistrationToken(digest: SecretDigest(of: bearer), at: clock.now())
            else {
                throw OAuthError.invalidClient("registration needs a valid, unused initial access token")
            }
        case .open:
            let decision = limiter.record(clientAddress)
            guard decision.allowed else { throw OAuthError.rateLimited(retryAfter: decision.retryAfter) }
        }
        let method = metadata.token_endpoint_auth_method ?? "client_secret_basic"
        let type: ClientType
        switch method {
        case "client_secret_basic", "client_secret_post": type = .web
        case "none": type = .native
        default: throw OAuthError.invalidClientMetadata("token_endpoint_auth_method must be client_secret_basic, client_secret_post or none.")
        }
        let grantTypes = metadata.grant_types ?? ["authorization_code", "refresh_token"]
        guard Set(grantTypes).isSubset(of: ["authorization_code", "refresh_token"]), grantTypes.contains("authorization_code") else {
            throw OAuthError.invalidClientMetadata("grant_types may only be authorization_code and refresh_token.")
        }
        let responseTypes = metadata.response_types ?? ["code"]
        guard responseTypes == ["code"] else {
            throw OAuthError.invalidClientMetadata("response_types must be [\"code\"].")
        }
        var scope = ScopeSet(Scope.allCases)
        if let raw = metadata.scope {
            guard let parsed = ScopeSet(parsing: raw), !parsed.isEmpty else {
                throw OAuthError.invalidClientMetadata("scope names an unknown scope.")
            }
            scope = parsed
        }
        let name = metadata.client_name?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == false
            ? metadata.client_name! : "Unnamed application"
        let registered: (client: OAuthClient, secret: Secret?)
        do {
            registered = try await registry.register(
                name: name, type: type.rawValue, redirectURIs: metadata.redirect_uris ?? [], owner: nil,
                logoURI: metadata.logo_uri, clientURI: metadata.client_uri, verified: false, scopes: scope,
                actor: "dynamic-registration"
            )
        } catch let error as ValidationError where error.field == "redirect_uri" {
            throw OAuthError.invalidRedirectURI(error.message)
        } catch let error as ValidationError {
            throw OAuthError.invalidClientMetadata("\(error.field): \(error.message)")
        }
        let client = registered.client
        return Response(
            client_id: client.id.rawValue, client_secret: registered.secret?.value,
            client_id_issued_at: Int(client.createdAt.timeIntervalSince1970), client_secret_expires_at: 0,
            client_name: client.name, redirect_uris: client.redirectURIs, token_endpoint_auth_method: method,
            grant_types: grantTypes, response_types: responseTypes, scope: scope.description,
            logo_uri: client.logoURI, client_uri: client.clientURI
        )
    }

    /// A `bi_iat_` token for `--registration token`, single use, valid 24 h; printed once.
    public func createInitialAccessToken() async throws -> Secret {
        let secret = Secret(kind: .initialAccessToken)
        let now = clock.now()
        try await storage.createRegistrationToken(
            digest: secret.digest, createdAt: now, expiresAt: now.addingTimeInterval(settings.registrationTokenTTL)
        )
        return secret
    }
}
