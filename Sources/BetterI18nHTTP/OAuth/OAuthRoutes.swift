import BetterI18nCore
import BetterI18nOAuth
import Foundation
import Hummingbird
import Logging

/// The authorization server's endpoints (SPEC §5) on the dashboard origin.
struct OAuthRoutes {
    let dependencies: AppDependencies
    private var oauth: OAuthServices { dependencies.oauth }
    private var logger: Logger { dependencies.logger }

    func register(on router: Router<AppRequestContext>) {
        router.get("/.well-known/oauth-authorization-server") { _, _ in metadata() }
        router.get("/api/auth/mcp/authorize") { request, context in try await authorize(request, context) }
        router.post("/api/auth/mcp/authorize") { request, context in try await decide(request, context) }
        router.post("/api/auth/mcp/token") { request, context in await token(request, context) }
        router.post("/api/auth/mcp/revoke") { request, _ in await revoke(request) }
        router.post("/api/auth/mcp/introspect") { request, _ in await introspect(request) }
        router.post("/api/auth/mcp/register") { request, context in await registerClient(request, context) }
    }

    // MARK: RFC 8414 metadata

    private struct Metadata: Encodable {
        let issuer: String
        let authorization_endpoint: String
        let token_endpoint: String
        let registration_endpoint: String
        let revocation_endpoint: String
        let introspection_endpoint: String
        let scopes_supported: [String]
        let response_types_supported = ["code"]
        let grant_types_supported = ["authorization_code", "refresh_token"]
        let code_challenge_methods_supported = ["S256"]
        let token_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post", "none"]
        let revocation_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post", "none"]
        let introspection_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post"]
        let authorization_response_iss_parameter_supported = true
    }

    private func metadata() -> Response {
        let settings = oauth.settings
        return JSONResponse.make(Metadata(
            issuer: settings.issuer, authorization_endpoint: settings.authorizationEndpoint,
            token_endpoint: settings.tokenEndpoint, registration_endpoint: settings.registrationEndpoint,
            revocation_endpoint: settings.revocationEndpoint, introspection_endpoint: settings.introspectionEndpoint,
            scopes_supported: Scope.allCases.map(\.rawValue)
        ), status: .ok, headers: [.cacheControl: "public, max-age=3600", .accessControlAllowOrigin: "*"])
    }

    // MARK: Authorization and consent

    private func authorize(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        switch try await oauth.validator.validate(OAuthHTTP.queryParameters(request)) {
        case .errorPage(let message):
            return ErrorPage.response(heading: "This link cannot be used", message: message, status: .badRequest)
        case .unverifiedClientError(let error):
            logger.info("authorization request refused", metadata: ["error": .string(error.error), "reason": .string(error.detail)])
            return ErrorPage.response(
                heading: "This link cannot be used",
                message: "The request from this unverified app is not valid (\(error.error)). Nothing was sent back to the app.",
                status: .badRequest
            )
        case .redirectError(let error, let redirectURI, let state):
            logger.info("authorization request refused", metadata: ["error": .string(error.error), "reason": .string(error.detail)])
            return HTMLResponse.seeOther(AuthorizationResponse.error(error, redirectURI: redirectURI, state: state, issuer: oauth.settings.issuer))
        case .valid(let authorization):
            guard let user = context.user else { return DashboardGuards.signIn(returningTo: DashboardGuards.here(request)) }
            let screen = try await oauth.consent.prepare(authorization, user: user)
            return ConsentPage.response(screen, context: context, error: nil, status: .ok)
        }
    }

    private func decide(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        // A consent POST without the session's CSRF token does nothing.
        try await DashboardGuards.signedInForm(request, context, signedOut: {
            ErrorPage.response(heading: "Please sign in again", message: "Your session ended before you answered.", status: .badRequest)
        }) { user, _, form in
            let decision = ConsentDecision(
                requestID: form["request_id"] ?? "", approve: form["decision"] == "approve",
                organizationID: form["organization_id"], projectAccess: form["project_access"],
                projectIDs: form.values("project_ids"), scopes: form.values("scope")
            )
            switch try await oauth.consent.decide(decision, user: user) {
            case .redirect(let location):
                return HTMLResponse.seeOther(location)
            case .showAgain(let screen, let error):
                return ConsentPage.response(screen, context: context, error: error, status: .badRequest, form: decision)
            case .requestNotFound:
                return ErrorPage.response(
                    heading: "This request is no longer valid",
                    message: "It was already answered, it expired, or it belongs to another account. Start again from the app.",
                    status: .badRequest
                )
            }
        }
    }

    // MARK: Token, revocation, introspection

    /// Runs an engine call, answering OAuth errors in the RFC 6749 §5.2 form.
    private func answering(_ request: Request, _ body: (OAuthParameters, ClientCredentials) async throws -> Response) async -> Response {
        let basicUsed = request.headers[.authorization]?.lowercased().hasPrefix("basic ") == true
        do {
            let parameters = try await OAuthHTTP.bodyParameters(request)
            let credentials = try OAuthHTTP.credentials(request, parameters)
            return try await body(parameters, credentials)
        } catch let error as OAuthError {
            if error.status >= 500 || error.error == "invalid_grant" || error.error == "invalid_client" {
                logger.info("oauth request refused", metadata: ["error": .string(error.error), "reason": .string(error.detail)])
            }
            return OAuthHTTP.errorResponse(error, basicUsed: basicUsed)
        } catch let error as APIError {
            return OAuthHTTP.errorResponse(
                error.status == .contentTooLarge ? .invalidRequest("The request body is too large.") : .invalidRequest(error.description),
                basicUsed: basicUsed
            )
        } catch {
            logger.error("token endpoint failure", metadata: ["error": .string(String(reflecting: error))])
            return OAuthHTTP.errorResponse(.serverError(String(describing: error)), basicUsed: basicUsed)
        }
    }

    private func token(_ request: Request, _ context: AppRequestContext) async -> Response {
        await answering(request) { parameters, credentials in
            let response = try await oauth.token.handle(parameters, credentials: credentials, clientAddress: context.clientAddress)
            return JSONResponse.make(response, status: .ok, headers: [.cacheControl: "no-store", .pragma: "no-cache"])
        }
    }

    private func revoke(_ request: Request) async -> Response {
        await answering(request) { parameters, credentials in
            try await oauth.revocation.revoke(parameters, credentials: credentials)
            return Response(status: .ok, headers: [.cacheControl: "no-store"])
        }
    }

    private func introspect(_ request: Request) async -> Response {
        await answering(request) { parameters, credentials in
            let response = try await oauth.introspection.introspect(parameters, credentials: credentials)
            return JSONResponse.make(response, status: .ok, headers: [.cacheControl: "no-store"])
        }
    }

    // MARK: RFC 7591 registration

    private func registerClient(_ request: Request, _ context: AppRequestContext) async -> Response {
        do {
            guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
                throw OAuthError.invalidClientMetadata("Send the client metadata as application/json.")
            }
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: FormBody.maximumBytes) } catch {
                throw OAuthError.invalidClientMetadata("The metadata document is too large.")
            }
            let metadata: DynamicRegistration.Metadata
            do {
                metadata = try JSONDecoder().decode(DynamicRegistration.Metadata.self, from: Data(buffer.readableBytesView))
            } catch {
                throw OAuthError.invalidClientMetadata("The body is not a valid client metadata document.")
            }
            var bearer: String?
            if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
                bearer = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            }
            let response = try await oauth.registration.register(metadata, bearer: bearer, clientAddress: context.clientAddress)
            return JSONResponse.make(response, status: .created, headers: [.cacheControl: "no-store"])
        } catch let error as OAuthError {
            return OAuthHTTP.errorResponse(error, basicUsed: false)
        } catch {
            logger.error("registration failure", metadata: ["error": .string(String(reflecting: error))])
            return OAuthHTTP.errorResponse(.serverError(String(describing: error)), basicUsed: false)
        }
    }
}
