import BetterI18nCore
import BetterI18nStorage

/// Credentials a client presented at the token, revocation or introspection endpoint.
public struct ClientCredentials: Sendable {
    public enum Method: Sendable, Equatable {
        /// `Authorization: Basic` (RFC 6749 §2.3.1).
        case basic
        /// `client_id` and `client_secret` in the body.
        case post
        /// `client_id` only: public clients (RFC 6749 §2.1).
        case none
    }

    public let clientID: String?
    public let secret: String?
    public let method: Method

    public init(clientID: String?, secret: String?, method: Method) {
        self.clientID = clientID
        self.secret = secret
        self.method = method
    }
}

/// Authenticates clients (SPEC §5.2): confidential clients by `client_secret_basic` or
/// `client_secret_post`; public clients by `client_id` alone.
public struct ClientAuthenticator: Sendable {
    let storage: any ClientStore

    public init(storage: any ClientStore) {
        self.storage = storage
    }

    public func authenticate(_ credentials: ClientCredentials) async throws -> OAuthClient {
        guard let raw = credentials.clientID, let id = ClientID(raw),
              let client = try await storage.client(id: id)
        else {
            throw OAuthError.invalidClient("unknown client_id")
        }
        if client.type.isConfidential {
            // RFC 6749 §2.3.1: a confidential client must authenticate; digests compare in constant time.
            guard credentials.method != .none, let secret = credentials.secret, let stored = client.secretDigest,
                  SecretDigest(of: secret) == stored
            else {
                throw OAuthError.invalidClient("confidential client \(client.id) failed authentication")
            }
        } else if credentials.secret != nil {
            // A public client has no secret; one that sends one is confused or impersonated.
            throw OAuthError.invalidClient("public client \(client.id) sent a secret")
        }
        return client
    }
}
