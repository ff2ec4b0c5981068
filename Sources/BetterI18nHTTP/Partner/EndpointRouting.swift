import BetterI18nAPI
import Hummingbird

extension RouterMethods {
    /// Registers a partner endpoint from its descriptor in `BetterI18nAPI`, so the routes, the
    /// OpenAPI document and the client read one list. `prefix` is the group's own path; path
    /// parameters keep the descriptor's names (`{projectId}` → `:projectId`).
    @discardableResult
    func on(
        _ endpoint: Endpoint, below prefix: String = "",
        use handler: @Sendable @escaping (Request, Context) async throws -> Response
    ) -> Self {
        precondition(endpoint.path.hasPrefix(prefix), "\(endpoint.path) is not below \(prefix)")
        let path = endpoint.path.dropFirst(prefix.count).split(separator: "/").map { segment in
            segment.hasPrefix("{") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
        return on(RouterPath("/" + path), method: HTTPRequest.Method(rawValue: endpoint.method.rawValue)!, use: handler)
    }
}

extension Parameters {
    /// A path parameter the route pattern guarantees (an empty string never matches anything).
    func value(_ name: String) -> String { get(name) ?? "" }
}
