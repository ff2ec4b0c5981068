import BetterI18nCore
import BetterI18nMCP
import BetterI18nOAuth
import Foundation
import Hummingbird
import Logging
import MCP
import ServiceLifecycle

/// Streamable HTTP MCP at `{api}/mcp` (SPEC §9).
///
/// Every request needs a valid installation token (`Authorization: Bearer bi_oat_…`); without
/// one: `401` with `WWW-Authenticate: Bearer resource_metadata=…/.well-known/oauth-protected-resource/mcp`
/// (RFC 9728), so MCP clients discover the authorization server. A token of a revoked grant is
/// not valid either: `401` naming `grant_revoked`, which sends a client back to consent.
/// The tools call the partner REST routes in-process (``InProcessPartnerAPI``): one
/// enforcement point for REST and MCP.
struct MCPRoutes {
    let dependencies: AppDependencies
    let router: RouterBox

    var endpoint: String {
        let path = dependencies.configuration.apiURL.path
        return (path.hasSuffix("/") ? String(path.dropLast()) : path) + "/mcp"
    }

    private var resourceMetadata: String {
        dependencies.configuration.apiURL.absoluteString + "/.well-known/oauth-protected-resource/mcp"
    }

    func register(on router: Router<AppRequestContext>) {
        for method in [HTTPRequest.Method.post, .get, .delete] {
            router.on(RouterPath(endpoint), method: method) { request, _ in try await handle(request) }
        }
    }

    /// The SDK's transport logs session ids at `info`; a session id is a bearer capability
    /// (with a token it continues the session), so its lines are kept to warnings and above.
    static func transportLogger(_ logger: Logger) -> Logger {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        return quiet
    }

    private func handle(_ request: Request) async throws -> Response {
        let token: AuthenticatedToken
        let raw = PartnerCredentials.token(from: request)
        do {
            token = try await dependencies.oauth.bearer.authenticate(raw, accepting: [.installation])
        } catch let failure as BearerFailure {
            throw challenge(failure)
        }
        let body = try await request.body.collect(upTo: 5 * 1024 * 1024)
        let mcpRequest = MCP.HTTPRequest(
            method: request.method.rawValue,
            headers: headers(of: request),
            body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil,
            path: request.uri.path
        )
        let sessions = dependencies.mcpSessions
        if let id = request.headers[.mcpSessionID] {
            guard let session = await sessions.session(id), session.grantID == token.grant.id,
                  session.admit(token: raw ?? "", expiresAt: token.state.token.expiresAt, scopes: token.scopes, projects: token.projects)
            else {
                return response(.error(statusCode: 404, .invalidRequest("Not Found: Session not found or expired")))
            }
            let answer = await session.transport.handleRequest(mcpRequest)
            if request.method == .delete, answer.statusCode == 200 { await sessions.close(id) }
            return response(answer)
        }
        guard request.method == .post, let data = mcpRequest.body, Self.isInitialize(data) else {
            return response(.error(statusCode: 400, .invalidRequest("Bad Request: Missing \(HTTPHeaderName.sessionID) header")))
        }
        return try await open(mcpRequest, token: token, raw: raw ?? "")
    }

    /// A new session for an `initialize` request.
    private func open(_ request: MCP.HTTPRequest, token: AuthenticatedToken, raw: String) async throws -> Response {
        let id = Base62.random(count: 32, from: dependencies.random)
        let transport = StatefulHTTPServerTransport(
            sessionIDGenerator: FixedSessionID(id: id),
            validationPipeline: StandardValidationPipeline(validators: [
                originValidator,
                AcceptHeaderValidator(mode: .sseRequired),
                ContentTypeValidator(),
                ProtocolVersionValidator(),
                SessionValidator(),
            ]),
            logger: Self.transportLogger(dependencies.logger)
        )
        let holder = TokenHolder()
        let api = InProcessPartnerAPI(router: router, token: { holder.session?.token ?? raw }, logger: dependencies.logger)
        let server = await BetterI18nMCPServer.make(api: api, version: BetterI18nVersion.current)
        try await server.start(transport: transport)
        let session = MCPSessions.Session(
            id: id, grantID: token.grant.id, scopes: token.scopes, projects: token.projects, token: raw,
            expiresAt: token.state.token.expiresAt, server: server, transport: transport
        )
        holder.session = session
        let answer = await transport.handleRequest(request)
        if case .error = answer {
            await transport.disconnect()
            await server.stop()
        } else {
            await dependencies.mcpSessions.add(session)
        }
        return response(answer)
    }

    /// Whether a JSON-RPC body is an `initialize` request (alone or in a batch).
    static func isInitialize(_ data: Data) -> Bool {
        let json = try? JSONSerialization.jsonObject(with: data)
        let messages = (json as? [[String: Any]]) ?? [(json as? [String: Any]) ?? [:]]
        return messages.contains { $0["method"] as? String == "initialize" && $0["id"] != nil }
    }

    /// DNS-rebinding protection: the API's own host, and loopback on any port.
    private var originValidator: OriginValidator {
        let api = dependencies.configuration.apiURL
        let host = api.host ?? "127.0.0.1"
        let origin = "\(api.scheme ?? "http")://\(host)"
        var hosts = ["127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*", host, "\(host):*"]
        var origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*", origin, "\(origin):*"]
        if let port = api.port {
            hosts.append("\(host):\(port)")
            origins.append("\(origin):\(port)")
        }
        return OriginValidator(allowedHosts: hosts, allowedOrigins: origins)
    }

    /// Request headers as the MCP SDK reads them, `host` included (swift-http-types keeps it
    /// in the authority; without it the SDK's origin check would pass anything).
    private func headers(of request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        if let authority = request.head.authority { headers["host"] = authority }
        return headers
    }

    private func response(_ answer: MCP.HTTPResponse) -> Response {
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPFields.Element.Name(name) { headers[field] = value }
        }
        let status = HTTPResponse.Status(code: answer.statusCode)
        switch answer {
        case .stream(let stream, _):
            return Response(status: status, headers: headers, body: ResponseBody { writer in
                // An event stream can stay open for the whole session: end it on SIGTERM so the
                // server can finish its requests and exit.
                do {
                    for try await chunk in stream.cancelOnGracefulShutdown() { try await writer.write(ByteBuffer(bytes: chunk)) }
                } catch {
                    // The session closed under the stream: end the response.
                }
                try await writer.finish(nil)
            })
        default:
            guard let data = answer.bodyData else { return Response(status: status, headers: headers) }
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// SPEC §9's challenge: `resource_metadata` only, no realm.
    private func challenge(_ failure: BearerFailure) -> APIError {
        PartnerCredentials.error(failure, resourceMetadata: resourceMetadata, realm: false, revokedIsUnauthorized: true)
    }
}

private struct FixedSessionID: SessionIDGenerator {
    let id: String
    func generateSessionID() -> String { id }
}

/// Lets the tools' token closure reach the session created after them.
private final class TokenHolder: @unchecked Sendable {
    // Written once, before the first tool call can run.
    var session: MCPSessions.Session?
}

extension HTTPFields.Element.Name {
    static let mcpSessionID = Self("Mcp-Session-Id")!
}
