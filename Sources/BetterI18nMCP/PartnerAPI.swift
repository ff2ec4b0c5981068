import Foundation

/// The partner REST API (SPEC §6) as the MCP tools reach it. The tools never check scopes or
/// organizations themselves: every tool call is one or more REST calls made with the agent's
/// own installation token, so the REST layer is the one enforcement point for both.
///
/// Two implementations: ``RemotePartnerAPI`` over HTTP for `better-i18n mcp` (stdio), and one
/// in the HTTP target that hands the request to the server's own router for `{api}/mcp`.
public protocol PartnerAPI: Sendable {
    /// `path` starts with `/api/oauth-client/`; `query` is already percent-encoded.
    func send(_ request: PartnerAPIRequest) async throws -> PartnerAPIResponse
}

public struct PartnerAPIRequest: Sendable {
    public let method: String
    public let path: String
    public let query: [(String, String)]
    public let body: Data?

    public init(method: String, path: String, query: [(String, String)] = [], body: Data? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }

    /// `path?name=value&…`, values percent-encoded.
    public var target: String {
        guard !query.isEmpty else { return path }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return path + "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }
}

public struct PartnerAPIResponse: Sendable {
    public let status: Int
    public let body: Data
    /// `Retry-After`, for `429 rate_limited`.
    public let retryAfter: String?

    public init(status: Int, body: Data, retryAfter: String?) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }
}

/// The API could not be reached at all (connection refused, DNS…): a tool error, never a crash.
public struct PartnerAPIUnreachable: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
