import BetterI18nClient
import Foundation

/// ``PartnerAPI`` over HTTP, for `better-i18n mcp`: the installation token goes in the
/// `Authorization` header of every call to `BETTER_I18N_API_URL`.
///
/// It sends through `BetterI18nClient`'s raw transport (AsyncHTTPClient, no redirects followed),
/// the same stack partners use: answers come back as they are, whatever their status, since the
/// tools report `429`, `410` and the rest to the agent themselves.
public struct RemotePartnerAPI: PartnerAPI {
    let baseURL: URL
    let token: String
    let client: BetterI18nClient

    public init(baseURL: URL, token: String, transport: any HTTPTransport = AsyncHTTPClientTransport.shared) {
        self.baseURL = baseURL
        self.token = token
        client = BetterI18nClient(configuration: .init(baseURL: baseURL, userAgent: "better-i18n-mcp"), transport: transport)
    }

    public func send(_ request: PartnerAPIRequest) async throws -> PartnerAPIResponse {
        let base = baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        guard URL(string: base + request.target) != nil else { throw PartnerAPIUnreachable(description: "bad URL") }
        do {
            let response = try await client.send(method: request.method, path: request.path, query: request.query, body: request.body, token: token)
            return PartnerAPIResponse(status: response.status, body: response.body, retryAfter: response.header("Retry-After"))
        } catch {
            throw PartnerAPIUnreachable(description: "cannot reach \(base): \(error)")
        }
    }
}
