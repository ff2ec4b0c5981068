import BetterI18nAPI
import BetterI18nCDN
import Foundation
import Hummingbird
import Logging

/// The public CDN (SPEC §8) on the server's own listener, under `--cdn-url`.
///
/// It sits in front of every other middleware: CDN requests carry no credentials, get no
/// session, no cookies and no HTML headers, and skip the per-request logging that would
/// dominate the cost of answering from memory.
struct CDNMiddleware<Context: RequestContext>: RouterMiddleware {
    let catalog: CDNCatalog
    let mount: CDNMount
    let metrics: CDNMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let relative = mount.relativePath(request) else { return try await next(request, context) }
        let response = await answer(request, relative)
        metrics.count(method: request.method.rawValue, status: response.status.code)
        return response
    }

    private func answer(_ request: Request, _ relative: Substring) async -> Response {
        switch request.method {
        case .get, .head: break
        case .options: return Response(status: .noContent, headers: CDNAnswer.preflightHeaders)
        default:
            var error = APIError(.methodNotAllowed, "The CDN answers GET and HEAD only.")
            error.headers[.allow] = "GET, HEAD, OPTIONS"
            return CDNAnswer.cors(error.response())
        }
        do {
            switch try await catalog.lookup(relative, query: request.uri.query.map { Substring($0) }) {
            case .hit(let hit):
                // Compressed on the CDN's own thread the first time, never on this task's.
                _ = try await hit.file.prepared(ContentNegotiation.encoding(request.headers[.acceptEncoding]))
                guard let answer = CDNAnswer(hit, method: request.method, headers: request.headers) else {
                    return CDNAnswer.cors(APIError.serverError.response())   // prepared just above: cannot happen
                }
                return Response(status: answer.status, headers: answer.headers, body: answer.body.map { .init(byteBuffer: $0) } ?? .init())
            case .notFound:
                var response = APIError(.notFound, "Nothing is published at this path.").response()
                response.headers[.cacheControl] = "no-cache"
                return CDNAnswer.cors(response)
            case .badRequest(let message):
                return CDNAnswer.cors(APIError(.invalidRequest, message).response())
            }
        } catch {
            logger.error("CDN lookup failed", metadata: ["error": "\(String(reflecting: error))"])
            return CDNAnswer.cors(APIError.serverError.response())
        }
    }
}

/// The response to a GET or HEAD of a published file — status, headers and body — shared by
/// the middleware and the event-loop fast paths (``CDNFastPath``, ``CDNRawFastPath``) so all
/// answer alike.
struct CDNAnswer {
    static let latestCacheControl = "public, max-age=60, stale-while-revalidate=300"
    static let versionedCacheControl = "public, max-age=31536000, immutable"

    /// The answer to a browser's CORS preflight: the SDKs send `Cache-Control` and
    /// `If-None-Match`, which are not CORS-safelisted request headers.
    static let preflightHeaders: HTTPFields = [
        .accessControlAllowOrigin: "*",
        .accessControlAllowMethods: "GET, HEAD",
        .accessControlAllowHeaders: "Cache-Control, If-None-Match, Accept-Encoding",
        .accessControlMaxAge: "86400",
    ]

    /// Every CDN answer may be read by any page; `ETag` must be exposed or browsers hide it.
    static func cors(_ response: Response) -> Response {
        var response = response
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlExposeHeaders] = "ETag"
        return response
    }

    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer?

    /// Nil when the encoding the client prefers is not compressed yet: the fast paths then
    /// leave the request to ``CDNMiddleware``, which has it compressed off the event loop.
    init?(_ hit: CDNCatalog.Hit, method: HTTPRequest.Method, headers request: HTTPFields) {
        let encoding = ContentNegotiation.encoding(request[.acceptEncoding])
        var headers = HTTPFields()
        headers.reserveCapacity(10)
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = hit.immutable ? Self.versionedCacheControl : Self.latestCacheControl
        headers[.eTag] = hit.file.etag(encoding)
        headers[.vary] = "Accept-Encoding"
        headers[.accessControlAllowOrigin] = "*"
        headers[.accessControlExposeHeaders] = "ETag"
        headers[.xContentTypeOptions] = "nosniff"
        if let condition = request[.ifNoneMatch], ContentNegotiation.matches(condition, hit.file) {
            status = .notModified
            self.headers = headers
            body = nil
            return
        }
        guard let representation = hit.file.ready(encoding) else { return nil }
        if encoding != .identity { headers[.contentEncoding] = encoding.rawValue }
        headers[.contentLength] = String(representation.readableBytes)
        status = .ok
        self.headers = headers
        body = method == .head ? nil : representation
    }
}

/// Where the CDN lives on this listener: under the path of `--cdn-url` (`/cdn` by default) or,
/// when that URL is a bare origin of its own (`https://cdn.example.com`), every path of
/// requests addressed to that host.
struct CDNMount: Sendable {
    let prefix: String
    let host: String?

    init(cdnURL: URL, publicURL: URL) {
        let path = cdnURL.path.hasSuffix("/") ? String(cdnURL.path.dropLast()) : cdnURL.path
        if path.isEmpty, let host = cdnURL.host, host != publicURL.host || cdnURL.port != publicURL.port {
            prefix = ""
            self.host = cdnURL.port.map { "\(host):\($0)" } ?? host
        } else {
            prefix = path.isEmpty ? "/cdn" : path
            host = nil
        }
    }

    /// The path below the CDN base (no leading slash), or nil when the request is not for the CDN.
    func relativePath(_ request: Request) -> Substring? {
        relativePath(path: request.uri.path, authority: request.head.authority)
    }

    func relativePath(path: String, authority: String?) -> Substring? {
        if let host {
            guard authority == host else { return nil }
            return path.dropFirst()
        }
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        guard rest.first == "/" else { return rest.isEmpty ? rest : nil }
        return rest.dropFirst()
    }
}

/// `Accept-Encoding` and `If-None-Match`, as the CDN reads them.
enum ContentNegotiation {
    /// br, else gzip, else identity — by q-value, br winning a tie; `*` counts for both.
    static func encoding(_ header: String?) -> CDNFile.Encoding {
        guard let header, !header.isEmpty else { return .identity }
        var quality: [String: Double] = [:]
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let name = parts.first?.trimmingCharacters(in: .whitespaces).lowercased(), !name.isEmpty else { continue }
            var q = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == "q", let value = Double(pair[1]) { q = value }
            }
            quality[name] = q
        }
        let wildcard = quality["*"] ?? 0
        let br = quality["br"] ?? wildcard
        let gzip = quality["gzip"] ?? quality["x-gzip"] ?? wildcard
        if br > 0, br >= gzip { return .br }
        if gzip > 0 { return .gzip }
        return .identity
    }

    /// Whether the client's cached copy is this file, in any of its encodings (the content is
    /// the same; only the transfer form differs).
    static func matches(_ header: String, _ file: CDNFile) -> Bool {
        for candidate in header.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if CDNFile.Encoding.allCases.contains(where: { file.etag($0) == tag }) { return true }
        }
        return false
    }
}
