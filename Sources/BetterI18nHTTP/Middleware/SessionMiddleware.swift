import BetterI18nAccounts
import Hummingbird
import Logging

/// Resolves the `bi_session` cookie to a signed-in user before any dashboard route runs.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookieName = "bi_session"

    let accounts: AccountService
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let secret = request.cookies[Self.cookieName]?.value,
           let user = try await accounts.user(forSession: secret) {
            context.user = user
            context.sessionSecret = secret
        }
        return try await next(request, context)
    }
}
