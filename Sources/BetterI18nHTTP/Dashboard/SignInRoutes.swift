import BetterI18nAPI
import BetterI18nAccounts
import BetterI18nCore
import Foundation
import Hummingbird

/// `GET/POST /login` and `POST /logout` (SPEC §4).
struct SignInRoutes {
    let dependencies: AppDependencies
    private var cookies: SessionCookies { SessionCookies(configuration: dependencies.configuration) }

    func register(on router: Router<AppRequestContext>) {
        // The form is shown even to a signed-in browser, so one can switch accounts; signing in
        // again replaces the session.
        router.get("/login") { request, _ in
            let returnTo = LocalReturnPath.sanitize(request.uri.queryParameters["return_to"].map(String.init))
            return loginPage(request: request, returnTo: returnTo, appName: try await appName(in: returnTo))
        }
        router.post("/login") { request, context in
            try await signIn(request: request, context: context)
        }
        router.post("/logout") { request, context in
            try await signOut(request: request, context: context)
        }
    }

    private struct LoginView {
        let csrf: String
        let returnTo: String
        let email: String
        let error: String?
        let appName: String?
    }

    /// The app an authorization request came from, so the page can say where sign-in leads.
    private func appName(in returnTo: String) async throws -> String? {
        guard let components = URLComponents(string: returnTo), components.path == "/api/auth/mcp/authorize",
              let raw = components.queryItems?.first(where: { $0.name == "client_id" })?.value,
              let id = ClientID(raw)
        else { return nil }
        return try await dependencies.storage.client(id: id)?.name
    }

    /// The sign-in form, reusing the browser's CSRF cookie when it has one.
    private func loginPage(
        request: Request, returnTo: String, email: String = "", error: String? = nil, status: HTTPResponse.Status = .ok,
        headers: HTTPFields = [:], appName: String? = nil
    ) -> Response {
        var csrfSecret = request.cookies[SessionCookies.loginCSRF]?.value ?? ""
        let isFresh = csrfSecret.count != 32 || !Base62.isBase62(Substring(csrfSecret))
        if isFresh {
            csrfSecret = Base62.random(count: 32, from: SystemRandomSource())
        }
        let view = LoginView(csrf: CSRFToken.derive(from: csrfSecret), returnTo: returnTo, email: email, error: error, appName: appName)
        var response = HTMLResponse.make(
            PageRenderer.shared.render("login", title: "Sign in", context: view, narrow: true), status: status, headers: headers
        )
        if isFresh {
            response.setCookie(cookies.loginCSRF(csrfSecret))
        }
        return response
    }

    private func signIn(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.read(from: request)
        let returnTo = LocalReturnPath.sanitize(form["return_to"])
        let email = form["email"] ?? ""
        guard CSRFToken.verify(form["csrf_token"], cookieSecret: request.cookies[SessionCookies.loginCSRF]?.value) else {
            return loginPage(
                request: request, returnTo: returnTo, email: email,
                error: "Your sign-in form expired. Please try again.", status: .forbidden
            )
        }
        let result = try await dependencies.accounts.signIn(
            email: email, password: form["password"] ?? "", clientAddress: context.clientAddress
        )
        switch result {
        case .signedIn(let secret, let user):
            // A fresh session at every sign-in: a session id planted before sign-in is useless.
            if context.sessionSecret != nil {
                try await dependencies.accounts.signOut(session: context.sessionSecret)
            }
            dependencies.logger.info("signed in", metadata: ["user": .string(user.id.rawValue)])
            var response = HTMLResponse.seeOther(returnTo)
            response.setCookie(cookies.session(secret))
            response.setCookie(cookies.expired(SessionCookies.loginCSRF, path: "/login"))
            return response
        case .invalidCredentials:
            return loginPage(request: request, returnTo: returnTo, email: email,
                             error: "Incorrect email or password.", status: .unauthorized)
        case .throttled(let seconds):
            return loginPage(
                request: request, returnTo: returnTo, email: email,
                error: "Too many failed attempts. Try again in \(seconds) seconds.", status: .tooManyRequests,
                headers: [.retryAfter: String(seconds)]
            )
        }
    }

    private func signOut(request: Request, context: AppRequestContext) async throws -> Response {
        try await DashboardGuards.signedInForm(request, context) { _, session, _ in
            try await dependencies.accounts.signOut(session: session)
            var response = HTMLResponse.seeOther("/login")
            response.setCookie(cookies.expired(SessionCookies.session))
            return response
        }
    }
}
