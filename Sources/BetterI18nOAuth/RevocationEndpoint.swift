import BetterI18nCore
import BetterI18nStorage
import Foundation

/// RFC 7009 token revocation (SPEC §5.5): a refresh token takes its family with it; an access
/// or installation token goes alone. Unknown tokens and other clients' tokens answer as if
/// revoked (RFC 7009 §2.2), so the endpoint cannot be used to probe for tokens.
public struct RevocationEndpoint: Sendable {
    let storage: any Storage
    let authenticator: ClientAuthenticator
    let clock: any WallClock
    let tokenCache: TokenStateCache?

    public init(storage: any Storage, clients: (any ClientStore)? = nil, clock: any WallClock, tokenCache: TokenStateCache? = nil) {
        self.storage = storage
        self.authenticator = ClientAuthenticator(storage: clients ?? storage)
        self.clock = clock
        self.tokenCache = tokenCache
    }

    public func revoke(_ parameters: OAuthParameters, credentials: ClientCredentials) async throws {
        let client = try await authenticator.authenticate(credentials)
        let token = try parameters.required("token")
        guard SecretFormatCheck(token).isValid,
              let state = try await storage.tokenState(digest: SecretDigest(of: token)),
              state.token.clientID == client.id
        else { return }
        let now = clock.now()
        switch state.token.kind {
        case .refresh:
            let grant = state.grant
            try await storage.revokeFamily(state.token.familyID, at: now, event: grant.isRevoked ? nil : .grantTokensRevoked(
                grant: grant.id, client: grant.clientID, organization: grant.organizationID, reason: .revocation, at: now
            ))
        case .access, .installation:
            try await storage.revokeToken(digest: state.token.digest, at: now)
        }
        tokenCache?.removeAll()
    }
}

/// RFC 7662 introspection (SPEC §5.5), for confidential clients and their own tokens only.
public struct IntrospectionEndpoint: Sendable {
    /// `{"active":false}` alone, or every field of an active token.
    public struct Response: Encodable, Sendable, Equatable {
        public let active: Bool
        public var token_type: String?
        public var scope: String?
        public var client_id: String?
        public var exp: Int?
        public var iat: Int?
        public var grant_id: String?
        public var organization_id: String?
        public var project_ids: [String]?

        static let inactive = Response(active: false)
    }

    let storage: any Storage
    let authenticator: ClientAuthenticator
    let clock: any WallClock

    public init(storage: any Storage, clients: (any ClientStore)? = nil, clock: any WallClock) {
        self.storage = storage
        self.authenticator = ClientAuthenticator(storage: clients ?? storage)
        self.clock = clock
    }

    public func introspect(_ parameters: OAuthParameters, credentials: ClientCredentials) async throws -> Response {
        let client = try await authenticator.authenticate(credentials)
        guard client.type.isConfidential else {
            throw OAuthError.invalidClient("public client \(client.id) may not introspect")
        }
        let token = try parameters.required("token")
        guard SecretFormatCheck(token).isValid,
              let state = try await storage.tokenState(digest: SecretDigest(of: token)),
              state.token.clientID == client.id,
              !state.isRevoked, !state.grant.isRevoked, !state.isExpired(at: clock.now()),
              state.token.rotatedAt == nil
        else { return .inactive }
        let record = state.token
        // The projects as the grant allows them now (SPEC §6.1); a token that reaches none has
        // no `project_ids`, since `[]` would read as "every project".
        let projects: [String]? = switch ProjectReach(token: record.projectIDs, grant: state.grant.projectIDs) {
        case .all: []
        case .only(let ids): ids.isEmpty ? nil : ids.sorted().map(\.rawValue)
        }
        return Response(
            active: true, token_type: record.kind.introspectionName,
            scope: record.scopes.intersection(state.grant.scopes).description, client_id: record.clientID.rawValue,
            exp: Int(record.expiresAt.timeIntervalSince1970), iat: Int(record.createdAt.timeIntervalSince1970),
            grant_id: state.grant.id.rawValue, organization_id: state.grant.organizationID.rawValue,
            project_ids: projects
        )
    }
}
