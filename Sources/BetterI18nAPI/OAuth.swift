/// The token endpoint's success answer (RFC 6749 §5.1), with the grant it belongs to.
public struct TokenResponse: APIType, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var refreshToken: String
    public var scope: String
    public var grantID: String
    public var organizationID: String

    public init(accessToken: String, tokenType: String = "Bearer", expiresIn: Int, refreshToken: String, scope: String,
                grantID: String, organizationID: String) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.scope = scope
        self.grantID = grantID
        self.organizationID = organizationID
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", refreshToken = "refresh_token"
        case scope, grantID = "grant_id", organizationID = "organization_id"
    }

    public static let schema = Schema.object([
        .init("access_token", .string), .init("token_type", .string), .init("expires_in", .integer),
        .init("refresh_token", .string), .init("scope", .string), .init("grant_id", .string), .init("organization_id", .string),
    ])
}

/// `POST …/installations/{grantId}/tokens`: optional narrowing of the new token.
public struct InstallationTokenRequest: APIType, Equatable {
    public var scopes: [String]?
    public var projectIDs: [String]?

    public init(scopes: [String]? = nil, projectIDs: [String]? = nil) {
        self.scopes = scopes
        self.projectIDs = projectIDs
    }

    enum CodingKeys: String, CodingKey { case scopes, projectIDs = "project_ids" }

    public static let schema = Schema.object([
        .init("scopes", .array(.string), required: false), .init("project_ids", .array(.string), required: false),
    ])
}

/// A minted installation token. `projectIDs` empty means every project of the organization.
public struct InstallationToken: APIType, Equatable {
    public var installationToken: String
    public var tokenType: String
    public var expiresAt: String
    public var expiresIn: Int
    public var grantID: String
    public var organizationID: String
    public var projectIDs: [String]
    public var scopes: [String]

    public init(installationToken: String, tokenType: String = "Bearer", expiresAt: String, expiresIn: Int, grantID: String,
                organizationID: String, projectIDs: [String], scopes: [String]) {
        self.installationToken = installationToken
        self.tokenType = tokenType
        self.expiresAt = expiresAt
        self.expiresIn = expiresIn
        self.grantID = grantID
        self.organizationID = organizationID
        self.projectIDs = projectIDs
        self.scopes = scopes
    }

    enum CodingKeys: String, CodingKey {
        case installationToken = "installation_token", tokenType = "token_type", expiresAt = "expires_at"
        case expiresIn = "expires_in", grantID = "grant_id", organizationID = "organization_id"
        case projectIDs = "project_ids", scopes
    }

    public static let schema = Schema.object([
        .init("installation_token", .string), .init("token_type", .string), .init("expires_at", .dateTime),
        .init("expires_in", .integer), .init("grant_id", .string), .init("organization_id", .string),
        .init("project_ids", .array(.string)), .init("scopes", .array(.string)),
    ])
}

/// `GET /api/oauth-client/me`: the user whose consent issued the token, the grant and the token.
public struct Me: APIType, Equatable {
    public struct User: Codable, Sendable, Equatable {
        public var id: String
        public var email: String
        public var name: String

        public init(id: String, email: String, name: String) {
            self.id = id
            self.email = email
            self.name = name
        }
    }

    public struct Grant: Codable, Sendable, Equatable {
        public var id: String
        public var clientID: String
        public var organizationID: String
        public var scopes: [String]
        public var projectIDs: [String]
        public var createdAt: String

        public init(id: String, clientID: String, organizationID: String, scopes: [String], projectIDs: [String], createdAt: String) {
            self.id = id
            self.clientID = clientID
            self.organizationID = organizationID
            self.scopes = scopes
            self.projectIDs = projectIDs
            self.createdAt = createdAt
        }

        enum CodingKeys: String, CodingKey {
            case id, clientID = "client_id", organizationID = "organization_id", scopes, projectIDs = "project_ids"
            case createdAt = "created_at"
        }
    }

    public struct Token: Codable, Sendable, Equatable {
        /// `access_token` or `installation_token`.
        public var type: String
        public var expiresAt: String
        public var scopes: [String]

        public init(type: String, expiresAt: String, scopes: [String]) {
            self.type = type
            self.expiresAt = expiresAt
            self.scopes = scopes
        }

        enum CodingKeys: String, CodingKey { case type, expiresAt = "expires_at", scopes }
    }

    public var user: User
    public var grant: Grant
    public var token: Token

    public init(user: User, grant: Grant, token: Token) {
        self.user = user
        self.grant = grant
        self.token = token
    }

    public static let schema = Schema.object([
        .init("user", .object([.init("id", .string), .init("email", .string), .init("name", .string)])),
        .init("grant", .object([
            .init("id", .string), .init("client_id", .string), .init("organization_id", .string),
            .init("scopes", .array(.string)), .init("project_ids", .array(.string)), .init("created_at", .dateTime),
        ])),
        .init("token", .object([
            .init("type", .enumeration(["access_token", "installation_token"])), .init("expires_at", .dateTime),
            .init("scopes", .array(.string)),
        ])),
    ])
}
