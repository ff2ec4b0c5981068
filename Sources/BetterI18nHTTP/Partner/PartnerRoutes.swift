import BetterI18nCore
import BetterI18nOAuth
import Foundation
import Hummingbird

/// The partner API (SPEC §6) on the API origin. So far: installations (mint and uninstall),
/// `GET /api/oauth-client/me` and the RFC 9728 protected-resource metadata.
struct PartnerRoutes {
    let dependencies: AppDependencies

    private var authenticator: BearerAuthenticator { dependencies.oauth.bearer }

    private var apiURL: String { dependencies.configuration.apiURL.absoluteString }

    func register(on router: Router<AppRequestContext>) {
        router.get("/.well-known/oauth-protected-resource") { _, _ in protectedResource(apiURL) }
        router.get("/.well-known/oauth-protected-resource/mcp") { _, _ in protectedResource(apiURL + "/mcp") }
        router.get("/api/oauth-client/me") { request, _ in try await me(request) }
        router.get("/api/oauth-client/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .accessControlAllowOrigin: "*"],
                     body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json(apiURL: apiURL))))
        }
        router.post("/api/oauth-client/installations/:grantID/tokens") { request, context in
            try await mint(request, grantID: context.parameters.get("grantID") ?? "")
        }
        router.delete("/api/oauth-client/installations/:grantID") { request, context in
            try await uninstall(request, grantID: context.parameters.get("grantID") ?? "")
        }
    }

    // MARK: Installations (SPEC §6.1)

    private struct MintRequest: Decodable {
        let scopes: [String]?
        let project_ids: [String]?
    }

    private struct MintResponse: Encodable {
        let installation_token: String
        let token_type = "Bearer"
        let expires_at: String
        let expires_in: Int
        let grant_id: String
        let organization_id: String
        let project_ids: [String]
        let scopes: [String]
    }

    /// Only an OAuth access token may mint; an installation token gets `401 invalid_token`.
    private func mint(_ request: Request, grantID: String) async throws -> Response {
        let access = try await authenticate(request, accepting: [.access])
        let body = try await PartnerJSON.decode(MintRequest.self, from: request, optional: true)
        do {
            let minted = try await dependencies.oauth.installations.mint(
                with: access, grantID: grantID, requestedScopes: body?.scopes, requestedProjects: body?.project_ids
            )
            let record = minted.record
            return JSONResponse.make(MintResponse(
                installation_token: minted.token.value, expires_at: record.expiresAt.iso8601,
                expires_in: Int(record.expiresAt.timeIntervalSince(record.createdAt)), grant_id: record.grantID.rawValue,
                organization_id: minted.organizationID.rawValue, project_ids: record.projectIDs.map(\.rawValue),
                scopes: record.scopes.sorted.map(\.rawValue)
            ), status: .created, headers: [.cacheControl: "no-store"])
        } catch let failure as InstallationTokens.Failure {
            switch failure {
            case .grantNotFound:
                throw APIError(status: .notFound, code: "grant_not_found", description: "This token has no grant with that id.")
            case .invalidScope(let why):
                throw APIError(status: .badRequest, code: "invalid_scope", description: "A requested scope is outside the grant: \(why).")
            case .invalidProject(let why):
                throw APIError(status: .badRequest, code: "invalid_project", description: "A requested project is outside the grant: \(why).")
            case .rateLimited(let retryAfter):
                throw APIError(status: .tooManyRequests, code: "rate_limited",
                               description: "Too many installation tokens minted for this grant; retry in \(retryAfter) s.",
                               headers: [.retryAfter: String(retryAfter)])
            }
        }
    }

    /// The partner uninstalls: the same cascade as a user's revoke from Connected apps.
    private func uninstall(_ request: Request, grantID: String) async throws -> Response {
        let access = try await authenticate(request, accepting: [.access])
        guard let id = GrantID(grantID), id == access.grant.id else {
            throw APIError(status: .notFound, code: "grant_not_found", description: "This token has no grant with that id.")
        }
        _ = try await dependencies.oauth.grants.revoke(id, actor: access.grant.clientID.rawValue)
        return Response(status: .noContent)
    }

    private struct ProtectedResourceMetadata: Encodable {
        let resource: String
        let authorization_servers: [String]
        let scopes_supported: [String]
        let bearer_methods_supported = ["header"]
        let resource_name = "Better i18n"
    }

    /// RFC 9728 metadata, so clients find the authorization server from a `401`.
    private func protectedResource(_ resource: String) -> Response {
        JSONResponse.make(ProtectedResourceMetadata(
            resource: resource, authorization_servers: [dependencies.configuration.publicURL.absoluteString],
            scopes_supported: Scope.allCases.map(\.rawValue)
        ), status: .ok, headers: [.cacheControl: "public, max-age=3600", .accessControlAllowOrigin: "*"])
    }

    /// Authenticates a partner request, answering §6.3 errors for refused tokens.
    func authenticate(_ request: Request, accepting kinds: Set<TokenKind>) async throws -> AuthenticatedToken {
        do {
            return try await authenticator.authenticate(PartnerCredentials.token(from: request), accepting: kinds)
        } catch let failure as BearerFailure {
            throw PartnerCredentials.error(failure, resourceMetadata: apiURL + "/.well-known/oauth-protected-resource")
        }
    }

    private struct MeResponse: Encodable {
        struct UserPart: Encodable { let id, email, name: String }
        struct GrantPart: Encodable {
            let id, client_id, organization_id: String
            let scopes, project_ids: [String]
            let created_at: String
        }
        struct TokenPart: Encodable {
            let type, expires_at: String
            let scopes: [String]
        }
        let user: UserPart
        let grant: GrantPart
        let token: TokenPart
    }

    /// SPEC §6.1: who and what a token stands for; access or installation token, no scope needed.
    /// `user` is whoever approved the consent this token's family descends from — recorded on
    /// every token of the family — not the grant's latest approver.
    private func me(_ request: Request) async throws -> Response {
        let token = try await authenticate(request, accepting: [.access, .installation])
        guard let user = try await dependencies.storage.user(id: token.state.token.userID) else { throw APIError.notFound }
        let grant = token.grant
        return JSONResponse.make(MeResponse(
            user: .init(id: user.id.rawValue, email: user.email.value, name: user.name),
            grant: .init(
                id: grant.id.rawValue, client_id: grant.clientID.rawValue, organization_id: grant.organizationID.rawValue,
                scopes: grant.scopes.sorted.map(\.rawValue), project_ids: grant.projectIDs.map(\.rawValue),
                created_at: grant.createdAt.iso8601
            ),
            token: .init(
                type: token.kind.introspectionName, expires_at: token.state.token.expiresAt.iso8601,
                scopes: token.scopes.sorted.map(\.rawValue)
            )
        ), status: .ok, headers: [.cacheControl: "no-store"])
    }
}
