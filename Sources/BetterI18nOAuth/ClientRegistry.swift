import BetterI18nCore
import BetterI18nStorage
import Foundation

/// Registers, rotates and deletes OAuth clients (SPEC §5.2) — one path for the Developer apps
/// page, `admin create-client`, the demo seed and RFC 7591 dynamic registration.
public struct ClientRegistry: Sendable {
    public enum Failure: Error, Equatable, Sendable {
        case notFound
        /// Only the app's owner may change it.
        case forbidden
        /// Public clients have no secret to rotate.
        case noSecret
    }

    let storage: any Storage
    let clock: any WallClock
    let random: any RandomSource
    /// Evicted when a client changes, so this instance sees the change at once.
    let cache: ClientCache?
    let tokenCache: TokenStateCache?

    public init(storage: any Storage, clock: any WallClock, random: any RandomSource = SystemRandomSource(), cache: ClientCache? = nil,
                tokenCache: TokenStateCache? = nil) {
        self.storage = storage
        self.clock = clock
        self.random = random
        self.cache = cache
        self.tokenCache = tokenCache
    }

    /// Validates everything, then stores the client. For `web` clients the secret is returned
    /// once; only its digest is stored.
    public func register(
        name rawName: String, type rawType: String, redirectURIs rawURIs: [String], owner: UserID?,
        logoURI: String? = nil, clientURI: String? = nil, verified: Bool = true, scopes: ScopeSet = ScopeSet(Scope.allCases),
        actor: String
    ) async throws -> (client: OAuthClient, secret: Secret?) {
        let name = try DisplayName(rawName)
        let type = try ClientType(parsing: rawType)
        let uris = try Self.redirectURIs(rawURIs)
        let logo = try logoURI.flatMap { try Self.webURL($0, field: "logo_uri") }
        let home = try clientURI.flatMap { try Self.webURL($0, field: "client_uri") }
        let secret = type.isConfidential ? Secret(kind: .clientSecret, random: random) : nil
        let now = clock.now()
        let client = OAuthClient(
            id: .generate(using: random), name: name.value, type: type, redirectURIs: uris, logoURI: logo, clientURI: home,
            ownerUserID: owner, secretDigest: secret?.digest, isVerified: verified, createdAt: now, scopes: scopes
        )
        try await storage.createClient(client)
        try await storage.recordAudit(AuditEvent(
            kind: .clientRegistered, organizationID: nil, clientID: client.id, grantID: nil, actor: actor,
            details: ["name": client.name, "type": type.rawValue, "verified": String(verified)], createdAt: now
        ))
        return (client, secret)
    }

    /// A new secret for a confidential client; the old one stops working at once.
    public func rotateSecret(_ id: ClientID, by user: UserID) async throws -> Secret {
        let client = try await owned(id, by: user)
        guard client.type.isConfidential else { throw Failure.noSecret }
        let secret = Secret(kind: .clientSecret, random: random)
        try await storage.updateClientSecret(client.id, digest: secret.digest)
        cache?.evict(client.id)
        try await storage.recordAudit(AuditEvent(
            kind: .clientSecretRotated, organizationID: nil, clientID: client.id, grantID: nil, actor: user.rawValue,
            createdAt: clock.now()
        ))
        return secret
    }

    /// Deletes the app; its grants are revoked with it.
    public func delete(_ id: ClientID, by user: UserID) async throws {
        let client = try await owned(id, by: user)
        let now = clock.now()
        try await storage.deleteClient(client.id, at: now, event: { .grantRevoked($0, reason: .partner, at: now) })
        cache?.evict(client.id)
        tokenCache?.removeAll()
        try await storage.recordAudit(AuditEvent(
            kind: .clientDeleted, organizationID: nil, clientID: client.id, grantID: nil, actor: user.rawValue, createdAt: now
        ))
    }

    private func owned(_ id: ClientID, by user: UserID) async throws -> OAuthClient {
        guard let client = try await storage.client(id: id) else { throw Failure.notFound }
        guard client.ownerUserID == user else { throw Failure.forbidden }
        return client
    }

    static func redirectURIs(_ raw: [String]) throws -> [String] {
        guard !raw.isEmpty else {
            throw ValidationError(field: "redirect_uri", message: "at least one redirect URI is required")
        }
        guard raw.count <= 20 else {
            throw ValidationError(field: "redirect_uri", message: "at most 20 redirect URIs")
        }
        var uris: [String] = []
        for value in raw {
            let uri = try RedirectURI(value).value
            if !uris.contains(uri) { uris.append(uri) }
        }
        return uris
    }

    /// `logo_uri` and `client_uri`: https (or loopback http), shown to users, so nothing else.
    static func webURL(_ raw: String, field: String) throws -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        guard trimmed.count <= 2000, let components = URLComponents(string: trimmed), let host = components.host, !host.isEmpty,
              components.scheme?.lowercased() == "https" || (components.scheme?.lowercased() == "http" && RedirectURI.isLoopback(host))
        else {
            throw ValidationError(field: field, message: "must be an https URL")
        }
        return trimmed
    }
}
