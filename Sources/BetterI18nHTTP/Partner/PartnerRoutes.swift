import BetterI18nAPI
import BetterI18nAPI
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
        router.on(Endpoints.me) { request, _ in try await me(request) }
        router.get("/api/oauth-client/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .accessControlAllowOrigin: "*"],
                     body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json(apiURL: apiURL))))
        }
        router.on(Endpoints.mintInstallationToken) { request, context in
            try await mint(request, grantID: context.parameters.value("grantId"))
        }
        router.on(Endpoints.uninstall) { request, context in
            try await uninstall(request, grantID: context.parameters.value("grantId"))
        }
    }

    // MARK: Installations (SPEC §6.1)

    /// Only an OAuth access token may mint; an installation token gets `401 invalid_token`.
    private func mint(_ request: Request, grantID: String) async throws -> Response {
        let access = try await authenticate(request, accepting: [.access])
        let body = try await PartnerJSON.decode(InstallationTokenRequest.self, from: request, optional: true)
        let minted = try await dependencies.oauth.installations.mint(
            with: access, grantID: grantID, requestedScopes: body?.scopes, requestedProjects: body?.projectIDs
        )
        let record = minted.record
        return JSONResponse.make(InstallationToken(
            installationToken: minted.token.value, expiresAt: record.expiresAt.iso8601,
            expiresIn: Int(record.expiresAt.timeIntervalSince(record.createdAt)), grantID: record.grantID.rawValue,
            organizationID: minted.organizationID.rawValue, projectIDs: record.projectIDs.map(\.rawValue),
            scopes: record.scopes.sorted.map(\.rawValue)
        ), status: .created, headers: [.cacheControl: "no-store"])
    }

    /// The partner uninstalls: the same cascade as a user's revoke from Connected apps.
    private func uninstall(_ request: Request, grantID: String) async throws -> Response {
        let access = try await authenticate(request, accepting: [.access])
        guard let id = GrantID(grantID), id == access.grant.id else {
            throw APIError(.grantNotFound, "This token has no grant with that id.")
        }
        _ = try await dependencies.oauth.grants.revoke(id, actor: access.grant.clientID.rawValue, reason: .partner)
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

    /// SPEC §6.1: who and what a token stands for; access or installation token, no scope needed.
    /// `user` is whoever approved the consent this token's family descends from — recorded on
    /// every token of the family — not the grant's latest approver.
    private func me(_ request: Request) async throws -> Response {
        let token = try await authenticate(request, accepting: [.access, .installation])
        guard let user = try await dependencies.storage.user(id: token.state.token.userID) else { throw APIError.notFound }
        let grant = token.grant
        return JSONResponse.make(Me(
            user: .init(id: user.id.rawValue, email: user.email.value, name: user.name),
            grant: .init(
                id: grant.id.rawValue, clientID: grant.clientID.rawValue, organizationID: grant.organizationID.rawValue,
                scopes: grant.scopes.sorted.map(\.rawValue), projectIDs: grant.projectIDs.map(\.rawValue),
                createdAt: grant.createdAt.iso8601
            ),
            token: .init(
                type: token.kind.introspectionName, expiresAt: token.state.token.expiresAt.iso8601,
                scopes: token.scopes.sorted.map(\.rawValue)
            )
        ), status: .ok, headers: [.cacheControl: "no-store"])
    }
}
