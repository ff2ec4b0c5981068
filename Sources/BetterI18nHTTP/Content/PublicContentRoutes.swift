import BetterI18nAPI
import BetterI18nCDN
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import Foundation
import Hummingbird

/// The public Content API (SPEC §10) on the API origin:
/// `GET /v1/content/{org}/{project}/models`, `…/models/{model}/entries` and
/// `…/models/{model}/entries/{slug}`, read by websites and apps with a `bi_pub_` key in
/// `x-api-key` (or `Authorization: Bearer`), or by an installation token with `content:read`.
///
/// Answers are JSON with `Cache-Control`, a strong `ETag` (`304` on `If-None-Match`), gzip or
/// br when accepted, CORS `*` and `X-RateLimit-*` per key. An answer is rendered once and kept
/// for half a second (dropped at once by any content write here), so a publish is visible
/// within a second on every instance and a busy list costs a cache lookup.
struct PublicContentRoutes {
    let dependencies: AppDependencies
    let limiter: RateLimiter
    /// Projects by `org/project` slug pair, trusted for half a second.
    let projects = FreshnessCache<String, ProjectLookup>(lifetime: .milliseconds(500), capacity: 10_000)

    struct ProjectLookup: Sendable { let project: BetterI18nCore.Project? }

    static let cacheControl = "public, max-age=60, stale-while-revalidate=3600"
    /// Answers to installation tokens may hold drafts: never kept by shared caches.
    static let privateCacheControl = "private, no-cache"

    static let preflightHeaders: HTTPFields = [
        .accessControlAllowOrigin: "*",
        .accessControlAllowMethods: "GET, HEAD",
        .accessControlAllowHeaders: "x-api-key, Authorization, Cache-Control, If-None-Match, Accept-Encoding",
        .accessControlMaxAge: "86400",
    ]

    init(dependencies: AppDependencies) {
        self.dependencies = dependencies
        limiter = RateLimiter(limit: dependencies.configuration.contentRateLimitPerMinute, window: 60, clock: dependencies.clock)
    }

    enum Resource {
        case models
        case entries(model: String)
        case entry(model: String, slug: String)
    }

    func register(on router: Router<AppRequestContext>) {
        let paths: [(String, @Sendable (Parameters) -> Resource)] = [
            ("/v1/content/:org/:project/models", { _ in .models }),
            ("/v1/content/:org/:project/models/:model/entries", { .entries(model: $0.value("model")) }),
            ("/v1/content/:org/:project/models/:model/entries/:slug", { .entry(model: $0.value("model"), slug: $0.value("slug")) }),
        ]
        for (path, resource) in paths {
            for method in [HTTPRequest.Method.get, .head] {
                router.on(RouterPath(path), method: method) { request, context in
                    await answer(request, context, resource(context.parameters))
                }
            }
            router.on(RouterPath(path), method: .options) { _, _ in
                Response(status: .noContent, headers: Self.preflightHeaders)
            }
        }
    }

    /// Who is asking: a public key (published content of its project only) or an installation token.
    enum Caller {
        case publicKey(PublicKeyRecord)
        case token(AuthenticatedToken)
    }

    private func answer(_ request: Request, _ context: AppRequestContext, _ resource: Resource) async -> Response {
        var headers: HTTPFields = [.accessControlAllowOrigin: "*", .accessControlExposeHeaders: "ETag, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"]
        do {
            let caller = try await authenticate(request)
            let decision = limiter.record(rateKey(caller))
            for field in decision.headers { headers[field.name] = field.value }
            guard decision.allowed else {
                throw APIError(.rateLimited, "Too many requests with this key; retry in \(decision.retryAfter) s.",
                               headers: [.retryAfter: String(decision.retryAfter)])
            }
            let project = try await project(context.parameters.value("org"), context.parameters.value("project"), for: caller)
            let source = try source(request, caller)
            let file = try await body(request, resource, project, source)
            return try await respond(request, file, caller: caller, headers: headers)
        } catch {
            var failure = APIError(mapping: error) ?? .serverError
            if failure == .serverError {
                dependencies.logger.error("public content read failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            for field in headers { failure.headers[field.name] = field.value }
            failure.headers[.cacheControl] = "no-store"
            return failure.response()
        }
    }

    private static let invalidKey = APIError(.invalidAPIKey, "A valid public Content API key (x-api-key: bi_pub_…) is required.")

    private func authenticate(_ request: Request) async throws -> Caller {
        guard let presented = PartnerCredentials.token(from: request), !presented.isEmpty else { throw Self.invalidKey }
        if presented.hasPrefix(SecretKind.publicContentKey.prefix) {
            guard let key = try await dependencies.publicKeys.authenticate(presented) else { throw Self.invalidKey }
            return .publicKey(key)
        }
        guard presented.hasPrefix(SecretKind.installationToken.prefix) else { throw Self.invalidKey }
        let token: AuthenticatedToken
        do {
            token = try await dependencies.oauth.bearer.authenticate(presented, accepting: [.installation])
        } catch BearerFailure.grantRevoked {
            throw APIError(.grantRevoked, "The user revoked this app's access to the organization.")
        } catch is BearerFailure {
            throw Self.invalidKey
        }
        guard token.scopes.contains(.contentRead) else { throw APIError.missingScope(.contentRead) }
        return .token(token)
    }

    private func rateKey(_ caller: Caller) -> String {
        switch caller {
        case .publicKey(let key): key.id.rawValue
        case .token(let token): token.grant.id.rawValue
        }
    }

    /// The project the path names, checked against the caller: a key of another project is
    /// `403 wrong_project`; a token keeps the partner API's organization and project checks.
    private func project(_ org: String, _ slug: String, for caller: Caller) async throws -> BetterI18nCore.Project {
        let cacheKey = org.lowercased() + "/" + slug.lowercased()
        let found: BetterI18nCore.Project?
        if let cached = projects.value(for: cacheKey) {
            found = cached.project
        } else {
            var lookup: BetterI18nCore.Project?
            if let orgSlug = try? Slug(org), let organization = try await dependencies.storage.organization(slug: orgSlug),
               let projectSlug = try? Slug(slug) {
                lookup = try await dependencies.storage.project(organization: organization.id, slug: projectSlug)
            }
            projects.store(ProjectLookup(project: lookup), for: cacheKey)
            found = lookup
        }
        switch caller {
        case .publicKey(let key):
            guard let found, found.id == key.projectID else {
                throw APIError(.wrongProject, "This key belongs to another project.")
            }
            return found
        case .token(let token):
            guard let found else { throw APIError.notFound }
            return try await ResourceAccess(token: token, views: dependencies.projectViews).project(found.id.rawValue)
        }
    }

    /// Published snapshots for keys; `status` picks working copies for tokens.
    private func source(_ request: Request, _ caller: Caller) throws -> PublicContentReader.Source {
        guard let raw = request.uri.queryParameters["status"].map(String.init), raw != "published" else { return .published }
        guard let status = ContentEntryStatus(rawValue: raw) else {
            throw APIError.invalidRequest("status must be published, draft or archived.")
        }
        if case .publicKey = caller {
            throw APIError(.draftsNotPublic, "A public key reads published content only.")
        }
        return .working(status)
    }

    /// The answer's bytes, rendered once per project, source, path and query for half a second.
    private func body(_ request: Request, _ resource: Resource, _ project: BetterI18nCore.Project,
                      _ source: PublicContentReader.Source) async throws -> CDNFile {
        let sourceKey: String
        switch source {
        case .published: sourceKey = "published"
        case .working(let status): sourceKey = status.rawValue
        }
        let cacheKey = project.id.rawValue + "|" + sourceKey + "|" + request.uri.path + "?" + (request.uri.query ?? "")
        if let cached = dependencies.contentAnswers.value(for: cacheKey) { return cached }
        let parameters = request.uri.queryParameters.map { (String($0.key).removingPercentEncoding ?? String($0.key), String($0.value)) }
        let reader = dependencies.publicContent
        let data: Data
        switch resource {
        case .models:
            _ = try PublicContentReader.parse(parameters.filter { $0.0 != "language" && $0.0 != "locale" }, single: true)
            data = JSONResponse.encode(try await reader.models(in: project))
        case .entries(let model):
            let query = try PublicContentReader.parse(parameters, single: false)
            data = JSONResponse.encode(try await reader.list(model, in: project, query, source: source))
        case .entry(let model, let slug):
            let query = try PublicContentReader.parse(parameters, single: true)
            data = JSONResponse.encode(try await reader.single(model, slug: slug, in: project, query, source: source))
        }
        let file = CDNFile(Array(data))
        dependencies.contentAnswers.store(file, for: cacheKey)
        return file
    }

    private func respond(_ request: Request, _ file: CDNFile, caller: Caller, headers: HTTPFields) async throws -> Response {
        var headers = headers
        let encoding = ContentNegotiation.encoding(request.headers[.acceptEncoding])
        headers[.contentType] = "application/json; charset=utf-8"
        if case .publicKey = caller {
            headers[.cacheControl] = Self.cacheControl
        } else {
            headers[.cacheControl] = Self.privateCacheControl
        }
        headers[.eTag] = file.etag(encoding)
        headers[.vary] = "Accept-Encoding, x-api-key, Authorization"
        if let condition = request.headers[.ifNoneMatch], ContentNegotiation.matches(condition, file) {
            return Response(status: .notModified, headers: headers)
        }
        let representation = try await file.prepared(encoding)
        if encoding != .identity { headers[.contentEncoding] = encoding.rawValue }
        headers[.contentLength] = String(representation.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: representation))
    }
}
