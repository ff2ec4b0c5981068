import BetterI18nAPI
import Foundation

/// Installation tokens (SPEC §6.1) cached per grant and minted again ``renewBefore`` seconds
/// before they expire, with one mint in flight per grant however many callers wait: the
/// first caller starts a stored `Task`, the others await the same one. Access tokens are kept
/// the same way and refreshed (rotating the refresh token through the store) when a mint needs
/// one; refreshes are single-flight too, since two concurrent refreshes with one refresh token
/// would end the token family (SPEC §5.4).
///
/// After `410 grant_revoked` the grant is remembered as revoked: later calls throw
/// ``BetterI18nError/grantRevoked`` without a request (a revoked grant is never revived).
public actor InstallationTokenCache {
    public nonisolated let oauth: PartnerOAuth
    public nonisolated let store: any RefreshTokenStore
    public nonisolated let renewBefore: TimeInterval
    /// Scopes or projects every minted token is narrowed to (nil: the grant's).
    public nonisolated let narrowing: InstallationTokenRequest?

    private struct Cached {
        let token: String
        let expiresAt: Date
    }

    private var installation: [String: Cached] = [:]
    private var access: [String: Cached] = [:]
    private var minting: [String: Task<Cached, any Error>] = [:]
    private var refreshing: [String: Task<Cached, any Error>] = [:]
    private var revoked: Set<String> = []
    /// How many installation tokens this cache has minted (successfully), for metrics and tests.
    public private(set) var mintCount = 0

    public init(oauth: PartnerOAuth, store: any RefreshTokenStore, renewBefore: TimeInterval = 60, narrowing: InstallationTokenRequest? = nil) {
        self.oauth = oauth
        self.store = store
        self.renewBefore = renewBefore
        self.narrowing = narrowing
    }

    private nonisolated var client: BetterI18nClient { oauth.client }

    /// Typed partner calls with this cache's installation token for `grantID`.
    public nonisolated func partner(grantID: String) -> PartnerClient {
        PartnerClient(client: client, credential: .installation(self, grantID: grantID))
    }

    /// Keeps the access token of a fresh exchange or refresh (the store already has the refresh token).
    public func remember(_ tokens: TokenResponse) {
        access[tokens.grantID] = Cached(token: tokens.accessToken, expiresAt: client.now().addingTimeInterval(TimeInterval(tokens.expiresIn)))
    }

    /// A valid installation token for the grant: the cached one, or a new one.
    public func token(for grantID: String) async throws -> String {
        if revoked.contains(grantID) { throw BetterI18nError.grantRevoked }
        if let cached = installation[grantID], isFresh(cached) { return cached.token }
        if let flight = minting[grantID] { return try await flight.value.token }
        let flight = Task { try await self.mint(grantID) }
        minting[grantID] = flight
        defer { minting[grantID] = nil }
        let minted = try await flight.value
        installation[grantID] = minted
        return minted.token
    }

    /// A valid access token for the grant: the cached one, or one from a refresh.
    public func accessToken(for grantID: String) async throws -> String {
        if revoked.contains(grantID) { throw BetterI18nError.grantRevoked }
        if let cached = access[grantID], isFresh(cached) { return cached.token }
        if let flight = refreshing[grantID] { return try await flight.value.token }
        let flight = Task { () async throws -> Cached in
            let tokens = try await self.oauth.refresh(grantID: grantID, store: self.store)
            return Cached(token: tokens.accessToken, expiresAt: self.client.now().addingTimeInterval(TimeInterval(tokens.expiresIn)))
        }
        refreshing[grantID] = flight
        defer { refreshing[grantID] = nil }
        let fresh = try await flight.value
        access[grantID] = fresh
        return fresh.token
    }

    /// Uninstalls (SPEC §6.1 `DELETE …/installations/{grantId}`) and forgets the grant's tokens.
    public func uninstall(grantID: String) async throws {
        let token = try await accessToken(for: grantID)
        try await client.uninstall(grantID: grantID, accessToken: token)
        markRevoked(grantID)
    }

    /// Drops the cached tokens of a grant; the next call mints (and refreshes) anew.
    public func forget(grantID: String) {
        installation[grantID] = nil
        access[grantID] = nil
    }

    /// What a failed call says about the token it used.
    func noticed(_ error: BetterI18nError, grantID: String, token: String) {
        switch error {
        case .grantRevoked:
            markRevoked(grantID)
        case .invalidToken where installation[grantID]?.token == token:
            installation[grantID] = nil
        default:
            break
        }
    }

    private func markRevoked(_ grantID: String) {
        revoked.insert(grantID)
        forget(grantID: grantID)
    }

    private func isFresh(_ cached: Cached) -> Bool {
        cached.expiresAt.addingTimeInterval(-renewBefore) > client.now()
    }

    private func mint(_ grantID: String) async throws -> Cached {
        let accessToken = try await self.accessToken(for: grantID)
        do {
            let minted = try await client.mintInstallationToken(grantID: grantID, accessToken: accessToken, narrowing: narrowing)
            mintCount += 1
            return Cached(token: minted.installationToken, expiresAt: client.now().addingTimeInterval(TimeInterval(minted.expiresIn)))
        } catch let error as BetterI18nError {
            switch error {
            case .grantRevoked: markRevoked(grantID)
            case .invalidToken where access[grantID]?.token == accessToken: access[grantID] = nil
            default: break
            }
            throw error
        }
    }
}
