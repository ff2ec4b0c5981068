import BetterI18nCore
import Hummingbird

/// Marks the start of every request that reaches the router (not the CDN's files, answered
/// before it), so webhook delivery can give way while requests keep arriving.
struct RequestTrafficMiddleware<Context: RequestContext>: RouterMiddleware {
    let traffic: RequestTraffic

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        traffic.requestStarted()
        return try await next(request, context)
    }
}
