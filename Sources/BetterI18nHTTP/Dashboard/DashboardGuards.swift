import BetterI18nCore
import Foundation
import Hummingbird

/// The dashboard's two guards, written once: pages need a signed-in user (else `303` to
/// sign-in, coming back afterwards), and state-changing forms need that user's session and the
/// session's CSRF token (else nothing changes).
enum DashboardGuards {
    /// `303` to the sign-in page, which sends the user back to `target` (path and query).
    static func signIn(returningTo target: String) -> Response {
        HTMLResponse.seeOther("/login?return_to=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F"))
    }

    /// The request's path and query, where sign-in should come back to.
    static func here(_ request: Request) -> String {
        request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
    }

    static func signedIn(
        _ request: Request, _ context: AppRequestContext, _ body: (User) async throws -> Response
    ) async throws -> Response {
        guard let user = context.user else { return signIn(returningTo: here(request)) }
        return try await body(user)
    }

    /// The answer to a form whose CSRF token is missing or wrong: nothing was changed.
    static func csrfRefused() -> Response {
        ErrorPage.response(heading: "Request refused", message: "The form's security token is missing or wrong. Nothing was changed.",
                           status: .forbidden)
    }

    /// A signed-in form POST carrying the session's CSRF token; anything else changes nothing.
    /// `signedOut` answers a post without a session (the default sends the user to sign in).
    static func signedInForm(
        _ request: Request, _ context: AppRequestContext, signedOut: () -> Response = { HTMLResponse.seeOther("/login") },
        _ body: (User, String, FormBody) async throws -> Response
    ) async throws -> Response {
        guard let user = context.user, let session = context.sessionSecret else { return signedOut() }
        let form = try await FormBody.read(from: request)
        guard CSRFToken.verify(form["csrf_token"], cookieSecret: session) else { return csrfRefused() }
        return try await body(user, session, form)
    }
}
