import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// ``PartnerAPI`` over HTTP, for `better-i18n mcp`: the installation token goes in the
/// `Authorization` header of every call to `BETTER_I18N_API_URL`.
///
/// URLSession rather than async-http-client: the MCP SDK links FoundationNetworking already, and
/// a second HTTP client stack would add minutes to every clean build for a handful of calls.
public struct RemotePartnerAPI: PartnerAPI {
    let baseURL: URL
    let token: String
    let session: URLSession

    public init(baseURL: URL, token: String) {
        self.baseURL = baseURL
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration)
    }

    public func send(_ request: PartnerAPIRequest) async throws -> PartnerAPIResponse {
        let base = baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        guard let url = URL(string: base + request.target) else { throw PartnerAPIUnreachable(description: "bad URL") }
        var http = URLRequest(url: url)
        http.httpMethod = request.method
        http.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        http.setValue("application/json", forHTTPHeaderField: "Accept")
        http.setValue("better-i18n-mcp", forHTTPHeaderField: "User-Agent")
        if let body = request.body {
            http.setValue("application/json", forHTTPHeaderField: "Content-Type")
            http.httpBody = body
        }
        do {
            let (data, response) = try await session.data(for: http)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return PartnerAPIResponse(
                status: status, body: data, retryAfter: (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Retry-After")
            )
        } catch {
            throw PartnerAPIUnreachable(description: "cannot reach \(base): \(error.localizedDescription)")
        }
    }
}
