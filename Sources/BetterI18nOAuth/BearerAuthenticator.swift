import BetterI18nCore
import BetterI18nStorage
import Foundation
import Synchronization

/// A bearer token that passed every check, with its grant.
public struct AuthenticatedToken: Sendable, Equatable {
    public let state: TokenState
    /// The token's scopes as the grant allows them now: a narrowed grant narrows live tokens.
    public let scopes: ScopeSet
    /// The token's projects as the grant allows them now (SPEC §6.1), likewise.
    public let projects: ProjectReach

    public init(state: TokenState) {
        self.state = state
        scopes = state.token.scopes.intersection(state.grant.scopes)
        projects = ProjectReach(token: state.token.projectIDs, grant: state.grant.projectIDs)
    }

    public var kind: TokenKind { state.token.kind }
    public var grant: Grant { state.grant }
}

/// Why a bearer token was refused at the partner API (SPEC §6.3).
public enum BearerFailure: Error, Equatable, Sendable {
    /// No credentials at all: `401` with a bare `WWW-Authenticate` challenge.
    case missing
    /// Malformed, unknown, expired, revoked or the wrong kind: `401 invalid_token`.
    case invalid(String)
    /// Any token of a revoked grant: `410 grant_revoked`, at once.
    case grantRevoked
}

/// Checks `Authorization: Bearer …` / `x-api-key` tokens for the partner API: by digest, with the
/// grant and family state in the same lookup, so a revoked grant is seen on the next request.
public struct BearerAuthenticator: Sendable {
    let storage: any OAuthStore
    let clock: any WallClock
    let cache: TokenStateCache?
    let known = KnownTokens()

    /// - Parameter cache: token states trusted for up to half a second (see ``TokenStateCache``).
    public init(storage: any OAuthStore, clock: any WallClock, cache: TokenStateCache? = nil) {
        self.storage = storage
        self.clock = clock
        self.cache = cache
    }

    /// - Parameter accepted: the token kinds this route takes (SPEC §6.1/§6.2 layer rule).
    public func authenticate(_ token: String?, accepting accepted: Set<TokenKind>) async throws -> AuthenticatedToken {
        guard let token, !token.isEmpty else { throw BearerFailure.missing }
        let (kind, digest) = try known.lookup(token) ?? Self.check(token, remembering: known)
        guard accepted.contains(kind) else {
            throw BearerFailure.invalid("a \(kind.introspectionName) cannot be used here")
        }
        let state: TokenState
        if let cached = cache?.value(for: digest) {
            state = cached
        } else {
            guard let stored = try await storage.tokenState(digest: digest) else {
                throw BearerFailure.invalid("unknown token")
            }
            cache?.store(stored, for: digest)
            state = stored
        }
        // A revoked grant answers 410 whatever else is true of the token (SPEC §6.1).
        if state.grant.isRevoked { throw BearerFailure.grantRevoked }
        if state.isRevoked { throw BearerFailure.invalid("token revoked") }
        if state.isExpired(at: clock.now()) { throw BearerFailure.invalid("token expired") }
        return AuthenticatedToken(state: state)
    }

    /// The format check (prefix and checksum) and the digest, done once per token text.
    private static func check(_ token: String, remembering known: KnownTokens) throws -> (TokenKind, SecretDigest) {
        guard case .valid(let secretKind) = SecretFormatCheck(token),
              let kind = TokenKind.allCases.first(where: { $0.secretKind == secretKind })
        else {
            throw BearerFailure.invalid("malformed or unknown token kind")
        }
        let digest = SecretDigest(of: token)
        known.remember(token, kind: kind, digest: digest)
        return (kind, digest)
    }
}

/// Well-formed bearer tokens seen recently, by their text: what a token *is* (its kind and
/// digest) never changes, so the checksum and the SHA-256 are computed once per token rather than
/// on every request. A hit costs a dictionary lookup by the token's (per-process seeded) hash and
/// a constant-time compare of the whole token; whether the token is still *valid* is decided
/// afterwards as before, from the ``TokenStateCache`` or the database.
final class KnownTokens: Sendable {
    private struct Known: Sendable {
        let token: String
        let kind: TokenKind
        let digest: SecretDigest
    }

    private let capacity: Int
    private let entries = Mutex<[Int: Known]>([:])

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func lookup(_ token: String) -> (TokenKind, SecretDigest)? {
        guard let known = entries.withLock({ $0[token.hashValue] }),
              constantTimeEquals(known.token.utf8, token.utf8)
        else { return nil }
        return (known.kind, known.digest)
    }

    func remember(_ token: String, kind: TokenKind, digest: SecretDigest) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token.hashValue] = Known(token: token, kind: kind, digest: digest)
        }
    }
}

/// Token states (token, family and grant) cached for half a second.
///
/// Every revocation — of a grant, a family or one token — must be effective on every instance
/// within one second (SPEC §6.1). Half a second of trust keeps that bound across instances with
/// no messaging between them; on the instance that revokes, the services that revoke call
/// `removeAll()`, so the change is seen there on the very next request.
public typealias TokenStateCache = FreshnessCache<SecretDigest, TokenState>

extension TokenStateCache {
    public static func standard() -> TokenStateCache { TokenStateCache(lifetime: .milliseconds(500)) }
}
